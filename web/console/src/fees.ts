// The fee item form (what staff type ⇄ FeeItemDefinition on the wire), the grade
// shortcut of the target, the bill filter and the CSV of the loaded unpaid bills.
// Amounts are typed in yuan and travel as int64 fen: parseYuan, never floats.
import { fenWire, formatFen, parseYuan, toFen, yuanText } from '@shared/money'
import { dueDate, outstanding, pending, settled } from '@shared/fees'
import type { FeeBill, FeeCategory, FeeItemDefinition, FeeTargetKind } from '@shared/types'

export interface FeeForm {
  title: string
  category: FeeCategory
  amountYuan: string
  targetKind: FeeTargetKind
  classIds: string[]
  /** Account ids, one per line (or separated by commas or spaces). */
  accounts: string
  /** ISO day from the date input (required: the server refuses an item without one). */
  due: string
  allowBalance: boolean
}

export type FormProblem = 'title' | 'amount' | 'classes' | 'accounts' | 'due'

export const MaxTitleRunes = 64

export function emptyForm(): FeeForm {
  return { title: '', category: 'tuition', amountYuan: '', targetKind: 'classes', classIds: [], accounts: '', due: '', allowBalance: true }
}

/** splitIds reads ids separated by new lines, commas (also ，、), semicolons or spaces; deduplicated, in order. */
export function splitIds(text: string): string[] {
  const out: string[] = []
  for (const s of text.split(/[\s,，、;；]+/)) if (s && !out.includes(s)) out.push(s)
  return out
}

/** amountFen is the typed amount per pupil in fen, or null when not a positive amount with ≤ 2 decimals. */
export function amountFen(yuan: string): bigint | null {
  const f = parseYuan(yuan)
  return f !== null && f > 0n ? f : null
}

/** toDefinition checks the form and answers the wire definition, or the first problem. */
export function toDefinition(f: FeeForm): { def: FeeItemDefinition } | { problem: FormProblem } {
  const title = f.title.trim()
  if (!title || [...title].length > MaxTitleRunes) return { problem: 'title' }
  const fen = amountFen(f.amountYuan)
  if (fen === null) return { problem: 'amount' }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.due)) return { problem: 'due' }
  const def: FeeItemDefinition = {
    title, category: f.category, amountFen: fenWire(fen), targetKind: f.targetKind,
    dueDay: f.due.replace(/-/g, ''), allowBalance: f.allowBalance,
  }
  if (f.targetKind === 'classes') {
    if (f.classIds.length === 0) return { problem: 'classes' }
    def.classIds = [...f.classIds]
  } else if (f.targetKind === 'accounts') {
    const ids = splitIds(f.accounts)
    if (ids.length === 0) return { problem: 'accounts' }
    def.accountIds = ids
  }
  return { def }
}

/** fromDefinition fills the form with a stored item's definition (to edit a draft). */
export function fromDefinition(d: FeeItemDefinition): FeeForm {
  return {
    title: d.title, category: d.category, amountYuan: yuanText(d.amountFen), targetKind: d.targetKind,
    classIds: [...(d.classIds ?? [])], accounts: (d.accountIds ?? []).join('\n'), due: dueDate(d.dueDay), allowBalance: !!d.allowBalance,
  }
}

/** classesOfGrades: the ids of the classes in the given grades (the "grades" target is these classes). */
export function classesOfGrades(classes: { id: string; grade?: number }[], grades: number[]): string[] {
  return classes.filter((c) => c.grade !== undefined && grades.includes(c.grade)).map((c) => c.id)
}

/** grades present among the classes, ascending. */
export function gradesOf(classes: { grade?: number }[]): number[] {
  return [...new Set(classes.map((c) => c.grade).filter((g): g is number => typeof g === 'number' && g > 0))].sort((a, b) => a - b)
}

export type BillFilter = 'all' | 'unpaid' | 'paid'

/** keep answers whether a bill shows under the filter: unpaid = still wants money, paid = settled in full. */
export function keep(b: FeeBill, f: BillFilter): boolean {
  if (f === 'unpaid') return pending(b)
  if (f === 'paid') return settled(b.status)
  return true
}

// A cell that a spreadsheet would read as a formula is prefixed with ' (CSV injection).
function cell(v: string): string {
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export interface CsvNames { header: string[]; status: (b: FeeBill) => string; pupil: (accountId: string) => { no: string; name: string } }

/** billsCSV is the CSV (UTF-8 with BOM, CRLF, for Excel) of the given bills: amounts in yuan, exact. */
export function billsCSV(bills: FeeBill[], names: CsvNames): string {
  const yuan = (v: FeeBill['dueFen']) => formatFen(v).replace('¥', '').replace(/,/g, '')
  const rows = [names.header.map(cell).join(',')]
  for (const b of bills) {
    const p = names.pupil(b.accountId)
    rows.push([b.classId ?? '', p.no, p.name, b.accountId, yuan(b.dueFen), yuan(b.paidFen), yuan(b.exemptedFen),
      yuan(outstanding(b).toString()), names.status(b)].map(cell).join(','))
  }
  return '\uFEFF' + rows.join('\r\n') + '\r\n'
}

/** sumFen sums a field of rows as bigint fen. */
export function sumFen<T>(rows: T[], f: (r: T) => string | number | bigint | undefined): bigint {
  return rows.reduce((s, r) => s + toFen(f(r)), 0n)
}
