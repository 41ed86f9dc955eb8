// Languages: Chinese by default, English switchable; the choice (not a secret) is kept
// in localStorage. Messages are plain strings compiled by vue-i18n's JIT compiler
// (errorText in messages.ts has the words for the reasons)
// (no eval, so the pages run under a strict Content-Security-Policy).

import { createI18n } from 'vue-i18n'

export type Locale = 'zh-CN' | 'en-US'
export const Locales: Locale[] = ['zh-CN', 'en-US']
const LocaleKey = 'onecode.locale'

export function savedLocale(): Locale {
  try {
    const v = globalThis.localStorage?.getItem(LocaleKey)
    if (v === 'en-US' || v === 'zh-CN') return v
  } catch {
    /* storage may be off */
  }
  return 'zh-CN'
}

export function saveLocale(l: Locale): void {
  try {
    globalThis.localStorage?.setItem(LocaleKey, l)
  } catch {
    /* storage may be off */
  }
  document.documentElement.lang = l === 'zh-CN' ? 'zh-CN' : 'en'
}

type Tree = { [k: string]: string | Tree }

export function makeI18n(app: Record<Locale, Tree>) {
  const locale = savedLocale()
  document.documentElement.lang = locale === 'zh-CN' ? 'zh-CN' : 'en'
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    missingWarn: false,
    fallbackWarn: false,
    messages: app,
  })
}
