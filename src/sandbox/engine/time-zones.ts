/** Offsets of one zone, memoized by hour: zone rules never change within an hour. */
type OffsetLookup = (epochMillis: number) => number;

const HOUR = 3_600_000;
const lookups = new Map<string, OffsetLookup>();

/**
 * A function giving the offset, in minutes east of UTC, of an IANA zone at an instant. Used to
 * show TIMESTAMP_TZ values in the session's TIMEZONE, as Snowflake does for values it converts.
 */
export function timeZoneOffsets(zone: string): OffsetLookup {
  const known = lookups.get(zone);
  if (known !== undefined) return known;

  const lookup = memoizedByHour(offsetCalculator(zone));
  lookups.set(zone, lookup);
  return lookup;
}

function offsetCalculator(zone: string): OffsetLookup {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    return () => 0;
  }
  return (epochMillis) => {
    const name = format.formatToParts(epochMillis).find((part) => part.type === 'timeZoneName');
    return parseOffset(name?.value ?? 'GMT');
  };
}

/** `GMT`, `GMT+05:30`, `GMT-08:00` as minutes. */
function parseOffset(text: string): number {
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

function memoizedByHour(calculate: OffsetLookup): OffsetLookup {
  const cache = new Map<number, number>();
  return (epochMillis) => {
    const hour = Math.floor(epochMillis / HOUR);
    let offset = cache.get(hour);
    if (offset === undefined) {
      if (cache.size > 10_000) cache.clear();
      offset = calculate(hour * HOUR);
      cache.set(hour, offset);
    }
    return offset;
  };
}
