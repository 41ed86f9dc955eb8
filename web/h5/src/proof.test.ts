import { describe, expect, it } from 'vitest'
import { proofField } from './proof'

describe('proofField', () => {
  it.each([
    ['350102201503120020', { idNumber: '350102201503120020' }],
    ['3501 0220 1503 12002x', { idNumber: '35010220150312002x' }],
    ['350102150312002', { idNumber: '350102150312002' }],
    ['ABCDE-FGHJK', { bindCode: 'ABCDEFGHJK' }],
    ['abcde fghjk', { bindCode: 'abcdefghjk' }],
    ['', {}],
  ])('%s', (proof, want) => {
    expect(proofField(proof)).toEqual(want)
  })
})
