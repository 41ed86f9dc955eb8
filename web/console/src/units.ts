// Nutrients travel as whole milligrams (int32) and days as YYYYMMDD; people type grams
// and pick dates (YYYY-MM-DD). Exact conversions, no floating point.
import { todaySchoolDay } from '@shared/time'

/** gramsText shows milligrams as grams: 9500 → "9.5", 51000 → "51", 5 → "0.005". */
export function gramsText(mg: number | undefined): string {
  const v = Math.trunc(mg ?? 0)
  const whole = Math.trunc(v / 1000)
  const frac = String(Math.abs(v % 1000)).padStart(3, '0').replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : String(whole)
}

/** parseGrams reads grams ("9.5", "", "12") into milligrams; null when not 0..1,000,000 g with ≤ 3 decimals. */
export function parseGrams(s: string): number | null {
  const t = s.trim()
  if (t === '') return 0
  const m = /^(\d{1,7})(?:\.(\d{1,3}))?$/.exec(t)
  if (!m) return null
  const mg = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'))
  return mg <= 2_147_483_647 ? mg : null
}

/** wireDay turns "2026-08-31" into "20260831" ("" stays ""). */
export function wireDay(d: string): string {
  return d.replace(/-/g, '')
}

/** isoDay turns "20260831" into "2026-08-31". */
export function isoDay(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d
}

/** addDays adds n days to an ISO day, in calendar terms. */
export function addDays(iso: string, n: number): string {
  const [y, m, d] = iso.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  return t.toISOString().slice(0, 10)
}

/** schoolYearEnd is 31 August of the school year after today's (cards of a new intake last a year or more). */
export function schoolYearEnd(today: string = todaySchoolDay()): string {
  const y = Number(today.slice(0, 4))
  return `${y + 1}-08-31`
}

/** classLabel names a class in a picker: its name, with its id when the name lacks it. */
export function classLabel(c: { id: string; name: string }): string {
  return c.name.includes(c.id) ? c.name : `${c.name} (${c.id})`
}

/** MaxEmail mirrors persistence/directory.MaxEmail. */
export const MaxEmail = 254

/**
 * emailOK: empty (no address) or a bare address (no name, no angle brackets) of at
 * most MaxEmail bytes, roughly as the server's net/mail check wants it.
 */
export function emailOK(e: string): boolean {
  if (e === '') return true
  return new TextEncoder().encode(e).length <= MaxEmail && /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]+$/.test(e)
}
