import { describe, expect, it } from 'vitest'
import { normalise, toUpdate } from './prefs'

describe('notice preferences', () => {
  it('fills the fields proto3 JSON leaves out', () => {
    const p = normalise({ channels: [{ channel: 'sms', on: true }, { channel: 'wechat' }], kinds: [{ kind: 'arrears', alwaysOn: true }, { kind: 'low_balance' }] })
    expect(p.channels).toEqual([{ channel: 'sms', on: true }, { channel: 'wechat', on: false }])
    expect(p.kinds).toEqual([{ kind: 'arrears', on: true, alwaysOn: true }, { kind: 'low_balance', on: false, alwaysOn: false }])
  })
  it('sends the channels on and the kinds off, never an always-on kind', () => {
    const u = toUpdate({
      channels: [{ channel: 'sms', on: false }, { channel: 'wechat', on: true }],
      kinds: [{ kind: 'login_code', on: false, alwaysOn: true }, { kind: 'low_balance', on: false }, { kind: 'refund_done', on: true }],
    })
    expect(u).toEqual({ channelsOn: ['wechat'], kindsOff: ['low_balance'] })
  })
  it('handles an empty answer', () => {
    expect(toUpdate(normalise(undefined))).toEqual({ channelsOn: [], kindsOff: [] })
  })
})
