import { describe, expect, it } from 'vitest'
import { errorText, reasonMessages } from './messages'
import { Reason } from './reasons'

describe('reason messages', () => {
  // Every REFUND_* reason a refund dialog can meet has words in both languages.
  const refund = Object.entries(Reason).filter(([name]) => name.startsWith('Refund'))
  it('knows the refund reasons', () => expect(refund.length).toBeGreaterThanOrEqual(6))
  for (const [name, code] of refund) {
    it(name, () => {
      expect(reasonMessages['zh-CN'][code]).toBeTruthy()
      expect(reasonMessages['en-US'][code]).toBeTruthy()
    })
  }
  it('shows the words, else the server message', () => {
    expect(errorText({ reason: Reason.RefundBalanceShort, message: 'x' }, 'zh-CN')).toContain('余额不足')
    expect(errorText({ reason: 'SOMETHING_NEW', message: 'server words' }, 'zh-CN')).toBe('server words')
  })
})
