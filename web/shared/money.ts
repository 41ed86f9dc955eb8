// Money on the wire is int64 fen. protojson sends int64 as a JSON string ("1234"),
// but a number is accepted too. Nothing here uses floating point arithmetic on money.

export type FenWire = string | number | bigint | null | undefined

/** toFen reads an int64 fen value as it arrives in JSON (string or number). */
export function toFen(v: FenWire): bigint {
  if (v === null || v === undefined || v === '') return 0n
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`fen ${v} is not a safe integer`)
    return BigInt(v)
  }
  if (!/^-?\d{1,19}$/.test(v)) throw new RangeError(`fen ${JSON.stringify(v)} is not an integer`)
  return BigInt(v)
}

/** formatFen shows fen as yuan: 1234 → "¥12.34", -300 → "-¥3.00". */
export function formatFen(v: FenWire, opts: { sign?: boolean } = {}): string {
  const fen = toFen(v)
  const neg = fen < 0n
  const abs = neg ? -fen : fen
  const yuan = abs / 100n
  const cents = (abs % 100n).toString().padStart(2, '0')
  const grouped = yuan.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const sign = neg ? '-' : opts.sign && fen > 0n ? '+' : ''
  return `${sign}¥${grouped}.${cents}`
}

/** yuanText shows fen as a plain yuan number for inputs: 5000 → "50", 5050 → "50.50". */
export function yuanText(v: FenWire): string {
  const fen = toFen(v)
  const neg = fen < 0n
  const abs = neg ? -fen : fen
  const cents = abs % 100n
  const s = cents === 0n ? (abs / 100n).toString() : `${abs / 100n}.${cents.toString().padStart(2, '0')}`
  return neg ? `-${s}` : s
}

/**
 * parseYuan reads what a person typed as yuan ("50", "50.5", "50.05", "¥1,000")
 * into fen, exactly; null when it is not an amount with at most two decimals.
 */
export function parseYuan(input: string): bigint | null {
  const s = input.trim().replace(/^¥/, '').replace(/,/g, '')
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const cents = (m[2] ?? '').padEnd(2, '0')
  return BigInt(m[1]) * 100n + BigInt(cents)
}

/** fenWire is the JSON form of an int64 fen value for a request body. */
export function fenWire(fen: bigint): string {
  return fen.toString()
}
