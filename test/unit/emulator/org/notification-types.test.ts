import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNotificationTypes } from '../../../../src/emulator/org/notification-types.ts';
import { DEFAULT_FORCE_APP_DIR } from '../../../../src/emulator/org/org.ts';
import { metadataProjects, NS } from '../../../support/metadata-project.ts';
import { buildOrg, minimalSeed } from '../../../support/org-fixture.ts';

const project = metadataProjects('loom-notiftype-');

describe('custom notification types', () => {
  it("loads the package's types with their DeveloperName from the file name", () => {
    expect(loadNotificationTypes(DEFAULT_FORCE_APP_DIR)).toEqual([
      {
        developerName: 'Loom_Pending_Action',
        masterLabel: 'Loom Pending Action',
        customNotifTypeName: 'Loom Pending Action',
        description: expect.stringContaining('approvers'),
        desktop: true,
        mobile: true,
      },
    ]);
    expect(loadNotificationTypes(undefined)).toEqual([]);
    expect(loadNotificationTypes(path.join(tmpdir(), 'no-such-loom-dir'))).toEqual([]);
  });

  it('defaults the label and channels, and names a file that does not validate', () => {
    const root = project({
      'a/notificationtypes/Quiet.notiftype-meta.xml': `<CustomNotificationType ${NS}><customNotifTypeName>Quiet one</customNotifTypeName></CustomNotificationType>`,
    });
    expect(loadNotificationTypes(root)).toEqual([
      {
        developerName: 'Quiet',
        masterLabel: 'Quiet one',
        customNotifTypeName: 'Quiet one',
        description: null,
        desktop: false,
        mobile: false,
      },
    ]);
    const broken = project({
      'notificationtypes/Bad.notiftype-meta.xml': `<CustomNotificationType ${NS}><desktop>true</desktop></CustomNotificationType>`,
    });
    expect(() => loadNotificationTypes(broken)).toThrow(/Bad\.notiftype-meta\.xml: .*customNotifTypeName/s);
  });

  it('are queryable records of an org built with force-app, and absent without it', () => {
    const withPackage = buildOrg(minimalSeed(), { forceApp: true });
    const admin = withPackage.access(withPackage.userByKey('admin')!.id);
    expect(
      withPackage.query(
        admin,
        "SELECT DeveloperName FROM CustomNotificationType WHERE DeveloperName = 'Loom_Pending_Action'",
        { apiVersion: '62.0' },
      ).records,
    ).toHaveLength(1);
    const bare = buildOrg(minimalSeed());
    expect(
      bare.query(bare.access(bare.userByKey('admin')!.id), 'SELECT Id FROM CustomNotificationType', {
        apiVersion: '62.0',
      }).records,
    ).toEqual([]);
  });
});
