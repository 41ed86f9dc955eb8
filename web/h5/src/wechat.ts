// Helpers of the WeChat link pages.

/** unixOf turns a protobuf Timestamp's JSON (RFC 3339) into unix seconds ('' when unset or bad). */
export function unixOf(rfc3339: string | undefined): string {
  const ms = rfc3339 ? Date.parse(rfc3339) : NaN
  return Number.isNaN(ms) ? '' : String(Math.floor(ms / 1000))
}
