import { baseCompile } from '@intlify/message-compiler'
import { describe, expect, it } from 'vitest'
import * as faces from './faces'
import * as feeextras from './feeextras'
import * as opsMembers from './opsmembers'
import * as refunds from './refunds'

// Every message compiles with vue-i18n's compiler: a bare '@' (an e-mail address) or
// '{' breaks a message at run time (the page shows nothing of the component).
type Tree = { [k: string]: string | Tree }
function* leaves(t: Tree, path = ''): Generator<[string, string]> {
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') yield [path + k, v]
    else yield* leaves(v, path + k + '.')
  }
}

describe('console messages compile', () => {
  for (const [name, mod] of Object.entries({ faces, feeextras, opsMembers, refunds })) {
    for (const lang of ['zh', 'en'] as const) {
      it(`${name}.${lang}`, () => {
        const bad: string[] = []
        for (const [key, msg] of leaves(mod[lang] as Tree)) {
          baseCompile(msg, { onError: (e) => bad.push(`${key}: ${e.message}`) })
        }
        expect(bad).toEqual([])
      })
    }
  }
  it('catches an e-mail address', () => {
    const errs: string[] = []
    baseCompile('cw1@school.test', { onError: (e) => errs.push(e.message) })
    expect(errs.length).toBeGreaterThan(0)
  })
})
