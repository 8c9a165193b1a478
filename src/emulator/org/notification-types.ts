/**
 * Custom notification types from the package (`force-app/**\/notificationtypes/<DeveloperName>.notiftype-meta.xml`),
 * served as `CustomNotificationType` records and used by the standard `customNotificationAction`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MetadataError, readMetadata } from './metadata-xml.ts';

export interface NotificationTypeDef {
  /** From the file name, e.g. `Loom_Pending_Action`. */
  developerName: string;
  masterLabel: string;
  customNotifTypeName: string;
  description: string | null;
  desktop: boolean;
  mobile: boolean;
}

const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const str = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string());

const CustomNotificationTypeXml = z.looseObject({
  customNotifTypeName: str,
  masterLabel: str.optional(),
  description: str.optional(),
  desktop: bool.optional(),
  mobile: bool.optional(),
});

const SUFFIX = '.notiftype-meta.xml';

function notificationTypeDirs(root: string, out: string[] = []): string[] {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(root, entry.name);
    if (entry.name === 'notificationtypes') out.push(full);
    else notificationTypeDirs(full, out);
  }
  return out.sort();
}

/** Every notification type under `root` (none when it does not exist); a file that does not validate names itself. */
export function loadNotificationTypes(root: string | undefined): NotificationTypeDef[] {
  if (root === undefined || !existsSync(root)) return [];
  const types: NotificationTypeDef[] = [];
  for (const dir of notificationTypeDirs(root)) {
    for (const name of readdirSync(dir)
      .filter((file) => file.endsWith(SUFFIX))
      .sort()) {
      const file = path.join(dir, name);
      const xml = readMetadata(file, 'CustomNotificationType', CustomNotificationTypeXml);
      const developerName = name.slice(0, -SUFFIX.length);
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(developerName))
        throw new MetadataError(file, `invalid notification type name '${developerName}'`);
      if (types.some((type) => type.developerName.toLowerCase() === developerName.toLowerCase()))
        throw new MetadataError(file, `notification type ${developerName} is defined twice`);
      types.push({
        developerName,
        masterLabel: xml.masterLabel ?? xml.customNotifTypeName,
        customNotifTypeName: xml.customNotifTypeName,
        description: xml.description ?? null,
        desktop: xml.desktop ?? false,
        mobile: xml.mobile ?? false,
      });
    }
  }
  return types;
}
