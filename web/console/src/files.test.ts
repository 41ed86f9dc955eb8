import { describe, expect, it } from 'vitest'
import { base64, fileFormat } from './files'

describe('files', () => {
  it('format by name', () => {
    expect([fileFormat('学生.XLSX'), fileFormat('a.csv'), fileFormat('a.xls'), fileFormat('a')]).toEqual(['xlsx', 'csv', null, null])
  })
  it('base64 of a large file', () => {
    const b = new Uint8Array(100_000).map((_, i) => i % 256)
    expect(Buffer.from(base64(b), 'base64').equals(Buffer.from(b))).toBe(true)
  })
})
