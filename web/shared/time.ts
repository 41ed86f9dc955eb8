// Dates are shown in the school's zone, Asia/Shanghai, whatever the phone's zone is.

export const SchoolZone = 'Asia/Shanghai'

type UnixWire = string | number | bigint | null | undefined

function toMillis(unix: UnixWire): number {
  if (unix === null || unix === undefined || unix === '') return 0
  return Number(unix) * 1000
}

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: SchoolZone, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
})

function fields(unix: UnixWire): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of parts.formatToParts(new Date(toMillis(unix)))) out[p.type] = p.value
  return out
}

/** schoolDay is the school day of an instant: "2026-09-01". */
export function schoolDay(unix: UnixWire): string {
  const f = fields(unix)
  return `${f.year}-${f.month}-${f.day}`
}

/** formatDateTime: "2026-09-01 12:05". */
export function formatDateTime(unix: UnixWire): string {
  const f = fields(unix)
  return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}`
}

/** formatTime: "12:05". */
export function formatTime(unix: UnixWire): string {
  const f = fields(unix)
  return `${f.hour}:${f.minute}`
}

/** todaySchoolDay is today's date at the school. */
export function todaySchoolDay(now: Date = new Date()): string {
  return schoolDay(Math.floor(now.getTime() / 1000))
}

/** formatRFC3339 shows an RFC 3339 time (the API's "at") as formatDateTime does; '' when empty or malformed. */
export function formatRFC3339(at: string | undefined): string {
  const ms = at ? Date.parse(at) : NaN
  return Number.isNaN(ms) ? '' : formatDateTime(Math.floor(ms / 1000))
}
