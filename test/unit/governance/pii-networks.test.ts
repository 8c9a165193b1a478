import { describe, expect, it } from 'vitest';
import { BUILTIN_DETECTORS, detectAll } from '../../../src/governance/pii/detectors.ts';
import { expectKept, expectMasked } from '../../support/pii-expect.ts';

const found = (text: string): Array<[string, string]> =>
  detectAll(text, BUILTIN_DETECTORS).map((d) => [d.type, text.slice(d.start, d.end)]);

/**
 * Network notation, pinned and tagged versions, object identifiers, cards grouped arbitrarily and identifier columns
 * cut out of a table, in cases written for these tests (never from a dev or blind line).
 */

describe('network notation is not a machine address', () => {
  it.each([
    ['permit ip 172.20.0.0/14 any log', ['172.20.0.0/14']],
    ['route add 100.64.0.0/10 via the carrier-grade NAT', ['100.64.0.0/10']],
    ['default route 0.0.0.0/0, DMZ 198.51.100.0/25', ['0.0.0.0/0', '198.51.100.0/25']],
    ['IPv6 allocation 2001:db8:4400::/40 and ULA fd12:3456:789a::/48', ['2001:db8:4400::/40', 'fd12:3456:789a::/48']],
    ['subnet mask 255.255.248.0, gateway mask 255.255.255.192', ['255.255.248.0', '255.255.255.192']],
    ['ACL wildcard 0.0.3.255 for the branch, 0.0.0.63 for the lab', ['0.0.3.255', '0.0.0.63']],
    ['network 172.31.8.0 0.0.7.255 area 0', ['172.31.8.0 0.0.7.255']],
    ['ip route 10.128.0.0 255.192.0.0 Null0', ['10.128.0.0 255.192.0.0']],
    ['exports /srv 172.24.0.0/255.252.0.0(rw)', ['172.24.0.0/255.252.0.0']],
  ])('keeps networks and masks in %j', async (text, values) => {
    await expectKept(text, values);
  });

  it('still masks a host beside networks, a /32 or /31 host route, and an interface address before its mask', async () => {
    await expectMasked('allow 10.44.0.0/16 to 10.44.7.21 port 443', ['10.44.7.21'], 'IP_ADDRESS');
    await expectMasked('pin admin access to 203.0.113.77/32 only', ['203.0.113.77'], 'IP_ADDRESS');
    await expectMasked('p2p link 198.51.100.6/31', ['198.51.100.6'], 'IP_ADDRESS');
    await expectMasked('ipv6 host 2001:db8:4400::9/128', ['2001:db8:4400::9'], 'IP_ADDRESS');
    await expectMasked(' ip address 172.31.9.14 255.255.248.0', ['172.31.9.14'], 'IP_ADDRESS');
    await expectMasked('access-list 5 permit 192.0.2.44 0.0.0.0', ['192.0.2.44'], 'IP_ADDRESS');
  });
});

describe('an address written with its interface prefix is a host', () => {
  it.each([
    ['Laptop of M. Ortega configured as 192.168.1.50/24 on the home router', '192.168.1.50'],
    ['Assigned 2001:db8:42::7/64 to the patient tablet', '2001:db8:42::7'],
  ])('%s', async (text, host) => {
    await expectMasked(text, [host], 'IP_ADDRESS');
  });
});

describe('versions pinned, tagged, in headings, user agents and other languages are not addresses', () => {
  it.each([
    ['orbit-agent==4.11.0.2\nurllib3>=2.2.1', '4.11.0.2'],
    ['pip install "corelib>=3.6.1.40,<3.7.0.0"', '3.6.1.40'],
    ['pip install "corelib>=3.6.1.40,<3.7.0.0"', '3.7.0.0'],
    ['fastproto~=2.30.1.9', '2.30.1.9'],
    ['"@northwind/telemetry": "^7.2.0.14"', '7.2.0.14'],
    ['yarn add widget-kit@3.90.122.2', '3.90.122.2'],
    ['docker run quay.example.net/ops/collector:2.18.4.3', '2.18.4.3'],
    ['image: "harbor.corp.example:8443/pay/gateway:6.7.1.22"', '6.7.1.22'],
    ['## [7.4.2.19] - 2025-01-14\n- fixed login', '7.4.2.19'],
    ['# Changelog\n### 7.4.2.18\n- first build', '7.4.2.18'],
    ['## 7.4.2.17 – security\n- patched', '7.4.2.17'],
    ['User-Agent: FieldApp/3.12.0.41 (Android 14; Pixel 8) okhttp/4.12.0', '3.12.0.41'],
    ['collector_sdk=11.2.3.4 region=eu', '11.2.3.4'],
    ['Installed report-kit@2.40.118.6 on the runner', '2.40.118.6'],
    ['当前版本：3.8.1.2', '3.8.1.2'],
    ['アプリのバージョン 4.1.0.7', '4.1.0.7'],
    ['앱 버전 2.6.3.1', '2.6.3.1'],
    ['Текущая версия 8.2.0.11', '8.2.0.11'],
    ['Nova versão 6.0.2.3 disponível', '6.0.2.3'],
  ])('keeps %j', async (text, value) => {
    await expectKept(text, [value]);
  });

  it.each([
    ['Subject DN: serialNumber 2.5.4.5, pseudonym 2.5.4.65', '2.5.4.65'],
    ['ext keyUsage 2.5.29.15; eku 1.3.6.1.5.5.7.3.4 and 1.3.6.1.5.5.7.3.8; basicConstraints 2.5.29.19', '2.5.29.19'],
    ['OID list: 1.2.3.9 (private arc)', '1.2.3.9'],
  ])('keeps an OID among OIDs: %j', async (text, value) => {
    await expectKept(text, [value]);
  });

  it('still masks a host on a pin-shaped, tagged, heading or OID line', async () => {
    await expectMasked('wireshark: ip.dst==198.51.100.201', ['198.51.100.201'], 'IP_ADDRESS');
    await expectMasked('npm i lodash@4.17.21 then ssh deploy@192.0.2.130', ['192.0.2.130'], 'IP_ADDRESS');
    await expectMasked('<td>203.0.113.150</td>', ['203.0.113.150'], 'IP_ADDRESS');
    await expectMasked('installed the agent, then root@198.51.100.240 rebooted', ['198.51.100.240'], 'IP_ADDRESS');
    await expectMasked('## 192.0.2.88\nthe build host', ['192.0.2.88'], 'IP_ADDRESS');
    await expectMasked('snmpwalk -c ro 198.51.100.66 1.3.6.1.2.1.2.2.1.2', ['198.51.100.66'], 'IP_ADDRESS');
    await expectMasked('inbound from client:203.0.113.61', ['203.0.113.61'], 'IP_ADDRESS');
    await expectMasked('if client == 198.51.100.17: drop()', ['198.51.100.17'], 'IP_ADDRESS');
    await expectMasked('replicas in pools/east:203.0.113.199', ['203.0.113.199'], 'IP_ADDRESS');
  });
});

describe('cards grouped arbitrarily', () => {
  it.each([
    ['my card is 54 2523 343 0109903, thanks', '54 2523 343 0109903'],
    ['Amex 37 828224 63 10005 exp 11/28', '37 828224 63 10005'],
    ['Kreditkarte: 4539-1488034-36-467', '4539-1488034-36-467'],
    ['{"customer":"M. Ortiz","pan":"45 391488 0343 6467","cvc":"912"}', '45 391488 0343 6467'],
    ['order = {"holder": "Lee", "number": "5425 23343 0109 903"}\napi.checkout(order)', '5425 23343 0109 903'],
    ['номер карты 4539148 8034 36467', '4539148 8034 36467'],
    ['Kartennummer 37 828224 63 10005', '37 828224 63 10005'],
    ['numer karty: 54 2523 343 0109903', '54 2523 343 0109903'],
  ])('masks %j', async (text, secret) => {
    await expectMasked(text, [secret], 'CREDIT_CARD');
  });

  it('keeps an odd grouping without card context, or named as an identifier', async () => {
    await expectKept('see log line 54 2523 343 0109903 for timing', ['54 2523 343 0109903']);
    await expectKept('Card on file; tracking no. 37 828224 63 10005', ['37 828224 63 10005']);
  });
});

describe('identifier columns and labels', () => {
  it('keeps a German test number (Prüfnummer) shaped like an SSN', async () => {
    await expectKept('Prüfprotokoll\nPrüfnummer: 536-22-8761\nErgebnis: bestanden', ['536-22-8761']);
    await expectKept('Prüf-Nr. 078 05 1120', ['078 05 1120']);
  });

  it('keeps a snake_case identifier in the first column while masking the phone beside it', async () => {
    const text =
      'invoice_no,mobile,paid_on\n4539148803436467,+44 7700 900123,2025-02-03\n5425233430109903,+44 7700 900456,2025-02-04';
    await expectKept(text, ['4539148803436467', '5425233430109903']);
    await expectMasked(text, ['+44 7700 900123', '+44 7700 900456'], 'PHONE');
  });
});

describe('public services named by role, and prefixes that end a sentence', () => {
  it.each([
    ['Set the forwarders to Quad9 149.112.112.112 for the lab.', '149.112.112.112'],
    ['Root hints: k.root-servers.net 193.0.14.129 and k-root IPv6 2001:7fd::1', ['193.0.14.129', '2001:7fd::1']],
    ['Clock source: europe.pool.ntp.org (say 203.0.113.123)', '203.0.113.123'],
    ['| name | addr |\n|---|---|\n| resolver3 | 198.51.100.53 |', '198.51.100.53'],
    ['Inline config: `nameserver 198.51.100.9` then restart.', '198.51.100.9'],
    ['The test network is 198.51.100.0/24.', '198.51.100.0'],
    ['request_id=9 upstream=203.0.113.80 status=200', '203.0.113.80'],
  ])('%s', async (text, values) => {
    await expectKept(text, values);
  });

  it('still masks a user address near those words', async () => {
    await expectMasked('DNS lookups from 203.0.113.45 failed all night', '203.0.113.45', 'IP_ADDRESS');
    await expectMasked('resolver timeout; client 198.51.100.77 retried', '198.51.100.77', 'IP_ADDRESS');
    await expectMasked('The customer host is 198.51.100.14.', '198.51.100.14', 'IP_ADDRESS');
  });
});

describe('servers named by their role, in configuration, logs and runbooks', () => {
  it.each([
    ['{"cache_host":"10.31.7.4","mq_host":"10.31.7.5","port":6379}', ['10.31.7.4', '10.31.7.5']],
    ['ts=09:12:44 level=warn msg="slow query" node=10.12.3.9 shard=4', '10.12.3.9'],
    ['kind: Service\nspec:\n  clusterIP: 10.100.0.12\n  ports: [53]', '10.100.0.12'],
    [
      'interface Vlan20\n ip helper-address 172.18.4.10\nip name-server 172.18.0.53 172.18.0.54\nntp server 172.18.0.123',
      ['172.18.4.10', '172.18.0.53', '172.18.0.54', '172.18.0.123'],
    ],
    ['ip route 0.0.0.0 0.0.0.0 172.18.4.254', '172.18.4.254'],
    ['The proxy fails when the pod asks 169.254.169.254 for credentials.', '169.254.169.254'],
    ['Most lookups still go to 9.9.9.9 and 2620:fe::fe first.', ['9.9.9.9', '2620:fe::fe']],
    ['Our WAF at 172.22.9.14 dropped 300 requests.', '172.22.9.14'],
    ['Hop through bastion 10.60.2.7, then psql on db-replica (10.60.3.8).', ['10.60.2.7', '10.60.3.8']],
    ['# hosts: 10.60.2.7 = jumphost-2', '10.60.2.7'],
    ['Keepalived moves VIP 10.60.3.20 to the standby.', '10.60.3.20'],
    ['The staging API name resolves to 203.0.113.90 now.', '203.0.113.90'],
    ['Clock sync falls back to 132.163.97.1 (time-b.nist.gov) at boot.', '132.163.97.1'],
    ['{"InstanceId":"i-0f12ab34cd56ef789","PrivateIpAddress":"172.31.40.12"}', '172.31.40.12'],
    [
      'NAME        READY   STATUS    RESTARTS   AGE   IP            NODE\nweb-5f7c9   1/1     Running   0          2d    10.42.3.17    n-1',
      '10.42.3.17',
    ],
  ])('%s', async (text, values) => {
    await expectKept(text, values);
  });

  it('still masks the person beside them', async () => {
    await expectMasked('user_ip=81.2.69.160 node=10.12.3.9', '81.2.69.160', 'IP_ADDRESS');
    await expectMasked('Login by j.doe from 81.2.69.161 via bastion 10.60.2.7', '81.2.69.161', 'IP_ADDRESS');
    await expectMasked('{"InstanceId":"x","PrivateIpAddress":"172.31.40.13"}', '172.31.40.13', 'IP_ADDRESS');
  });

  it('masks an address after an ellipsis, and a dotted quad after a phone word as an address', async () => {
    await expectMasked('tunnel up between 10.9.9.1...81.2.69.162[alice]', '81.2.69.162', 'IP_ADDRESS');
    expect(found('synced from the mobile app; hub 192.168.4.1 replied')).toEqual([['IP_ADDRESS', '192.168.4.1']]);
  });
});
