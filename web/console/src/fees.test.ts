import { describe, expect, it } from 'vitest'
import { amountFen, billsCSV, classesOfGrades, emptyForm, fromDefinition, gradesOf, keep, splitIds, sumFen, toDefinition } from './fees'
import type { FeeBill } from '@shared/types'

describe('fee item form', () => {
  it('reads the amount per pupil in yuan into fen exactly', () => {
    expect(amountFen('120.5')).toBe(12050n)
    expect(amountFen('0.1')).toBe(10n)
    expect(amountFen('0.29')).toBe(29n) // 0.29 * 100 is 28.999… in floats
    expect(amountFen('1,234.56')).toBe(123456n)
    expect(amountFen('¥3')).toBe(300n)
    expect(amountFen('999999999999.99')).toBe(99999999999999n)
    for (const bad of ['', '0', '0.00', '-1', '1.234', 'abc', '1e3', '1.2.3']) expect(amountFen(bad)).toBeNull()
  })
  it('builds a class target', () => {
    const f = { ...emptyForm(), title: ' 秋季学费 ', amountYuan: '1200.50', classIds: ['3-1'], due: '2026-09-15' }
    expect(toDefinition(f)).toEqual({
      def: { title: '秋季学费', category: 'tuition', amountFen: '120050', targetKind: 'classes', classIds: ['3-1'], dueDay: '20260915', allowBalance: true },
    })
  })
  it('names the first problem', () => {
    const due = '2026-09-30'
    expect(toDefinition({ ...emptyForm(), amountYuan: '1', due })).toEqual({ problem: 'title' })
    expect(toDefinition({ ...emptyForm(), title: 'x', amountYuan: '1.001', due })).toEqual({ problem: 'amount' })
    expect(toDefinition({ ...emptyForm(), title: 'x', amountYuan: '1' })).toEqual({ problem: 'due' })
    expect(toDefinition({ ...emptyForm(), title: 'x', amountYuan: '1', due: '2026-9-1' })).toEqual({ problem: 'due' })
    expect(toDefinition({ ...emptyForm(), title: 'x', amountYuan: '1', due })).toEqual({ problem: 'classes' })
    expect(toDefinition({ ...emptyForm(), title: 'x', amountYuan: '1', due, targetKind: 'accounts', accounts: ' , ' })).toEqual({ problem: 'accounts' })
    expect(toDefinition({ ...emptyForm(), title: 'x'.repeat(65), amountYuan: '1', due, targetKind: 'school' })).toEqual({ problem: 'title' })
  })
  it('school and account targets', () => {
    const s = toDefinition({ ...emptyForm(), title: 'x', amountYuan: '1', due: '2026-09-01', targetKind: 'school', classIds: ['3-1'] })
    expect(s).toEqual({ def: { title: 'x', category: 'tuition', amountFen: '100', targetKind: 'school', dueDay: '20260901', allowBalance: true } })
    const a = toDefinition({ ...emptyForm(), title: 'x', amountYuan: '1', due: '2026-09-01', targetKind: 'accounts', accounts: 'acc_1\nacc_2, acc_1，acc_3' })
    expect('def' in a && a.def.accountIds).toEqual(['acc_1', 'acc_2', 'acc_3'])
  })
  it('round-trips a stored definition', () => {
    const f = fromDefinition({ title: 'T', category: 'books', amountFen: '5005', targetKind: 'accounts', accountIds: ['a', 'b'], dueDay: '20261001', allowBalance: false })
    expect(f).toEqual({ title: 'T', category: 'books', amountYuan: '50.05', targetKind: 'accounts', classIds: [], accounts: 'a\nb', due: '2026-10-01', allowBalance: false })
    expect(fromDefinition({ title: 'T', category: 'other', amountFen: '100', targetKind: 'school', dueDay: '00000000' }).due).toBe('')
  })
  it('splits ids', () => {
    expect(splitIds(' a ;b；c、d\n\na ')).toEqual(['a', 'b', 'c', 'd'])
  })
  it('grades as classes', () => {
    const cs = [{ id: '3-1', grade: 3 }, { id: '3-2', grade: 3 }, { id: '4-1', grade: 4 }, { id: 'x' }]
    expect(gradesOf(cs)).toEqual([3, 4])
    expect(classesOfGrades(cs, [3])).toEqual(['3-1', '3-2'])
    expect(classesOfGrades(cs, [])).toEqual([])
  })
})

describe('bills', () => {
  const b = (status: FeeBill['status'], out: string): FeeBill => ({ itemId: 'i', accountId: 'acc_' + status, classId: '3-1', dueFen: '12050', paidFen: '0', exemptedFen: '0', outstandingFen: out, status })
  it('filters', () => {
    const bills = [b('unpaid', '12050'), b('partly_paid', '50'), b('paid', '0'), b('exempt', '0'), b('closed', '12050')]
    expect(bills.filter((x) => keep(x, 'unpaid')).map((x) => x.status)).toEqual(['unpaid', 'partly_paid'])
    expect(bills.filter((x) => keep(x, 'paid')).map((x) => x.status)).toEqual(['paid', 'exempt'])
    expect(bills.filter((x) => keep(x, 'all'))).toHaveLength(5)
    expect(sumFen(bills, (x) => x.outstandingFen)).toBe(24150n)
  })
  it('CSV with BOM, exact yuan, quoting and no formulas', () => {
    const csv = billsCSV([b('unpaid', '12050')], {
      header: ['班级', '学号', '姓名', '账户', '应缴', '已缴', '减免', '未缴', '状态'],
      status: () => '未缴',
      pupil: () => ({ no: '2024000101', name: '=HYPERLINK("x"),王' }),
    })
    expect(csv.startsWith('\uFEFF班级,学号')).toBe(true)
    expect(csv.split('\r\n')[1]).toBe('3-1,2024000101,"\'=HYPERLINK(""x""),王",acc_unpaid,120.50,0.00,0.00,120.50,未缴')
    expect(billsCSV([{ ...b('unpaid', '0'), dueFen: '123456789' }], { header: ['h'], status: () => '', pupil: () => ({ no: '', name: '' }) }).split('\r\n')[1]).toContain(',1234567.89,')
  })
})
