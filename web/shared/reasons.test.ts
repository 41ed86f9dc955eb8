import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Reason } from './reasons'

// The Go constants: `Name Code = "WIRE"` and `Name = Code("WIRE")`.
function goReasons(): Map<string, string> {
  const path = fileURLToPath(new URL('../../domain/reason/reason.go', import.meta.url))
  const src = readFileSync(path, 'utf8')
  const out = new Map<string, string>()
  for (const m of src.matchAll(/^\s*(\w+)\s+(?:Code\s*=\s*"([A-Z0-9_]+)"|=\s*Code\("([A-Z0-9_]+)"\))/gm)) {
    out.set(m[1], m[2] ?? m[3])
  }
  return out
}

describe('Reason mirrors domain/reason/reason.go', () => {
  const go = goReasons()
  it('reads the Go file', () => {
    expect(go.size).toBeGreaterThan(50)
  })
  for (const [name, wire] of Object.entries(Reason)) {
    it(name, () => {
      expect(go.get(name)).toBe(wire)
    })
  }
})
