/** The highest API version the emulator advertises; any `vNN.0` path still works. */
export const LATEST_LISTED_VERSION = 62;
const FIRST_LISTED_VERSION = 31;

/** Release name of an API version: v60 = Spring '24, v61 = Summer '24, v62 = Winter '25. */
function releaseLabel(version: number): string {
  const offset = version - 60;
  const season = ['Spring', 'Summer', 'Winter'][((offset % 3) + 3) % 3] ?? 'Spring';
  const year = 24 + Math.floor(offset / 3) + (season === 'Winter' ? 1 : 0);
  return `${season} '${String(year).padStart(2, '0')}`;
}

/** `GET /services/data`: unauthenticated, oldest first, as Salesforce lists them. */
export function versionsList(): Array<{ label: string; url: string; version: string }> {
  const list = [];
  for (let v = FIRST_LISTED_VERSION; v <= LATEST_LISTED_VERSION; v++) {
    list.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return list;
}
