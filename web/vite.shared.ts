// One build setup for both faces: reproducible (no timestamps, content hashes only),
// no inline scripts or styles in index.html (the switch serves them under a strict
// Content-Security-Policy), no data: URIs for our own assets, built straight into
// gateway/webui/dist/<face>, which is committed and embedded in the binary.
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'
import type { Plugin, UserConfig } from 'vite'

// An url() to another host in CSS: a font fallback on a CDN, say.
const externalURL = /,\s*url\(\s*["']?(?:https?:)?\/\/[^)]*\)\s*format\(\s*["']?[\w-]+["']?\s*\)/g

/**
 * selfContained keeps the pages from reaching any other host: it drops the CDN
 * fallbacks of @font-face lists (Vant's icon font is also inline, which is what is
 * used) and fails the build if any CSS still names another host.
 */
function selfContained(): Plugin {
  return {
    name: 'onecode-self-contained',
    enforce: 'pre',
    transform(code, id) {
      if (!id.split('?')[0].endsWith('.css') || !externalURL.test(code)) return null
      externalURL.lastIndex = 0
      return { code: code.replace(externalURL, ''), map: null }
    },
    generateBundle(_, bundle) {
      for (const a of Object.values(bundle)) {
        if (a.type === 'asset' && a.fileName.endsWith('.css') && /url\(\s*["']?(?:https?:)?\/\//.test(String(a.source))) {
          this.error(`${a.fileName} loads from another host: the Content-Security-Policy would block it`)
        }
      }
    },
  }
}

export function faceConfig(face: 'h5' | 'console'): UserConfig {
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
  return {
    root: here(`./${face}`),
    base: `/${face}/`,
    plugins: [vue(), selfContained()],
    resolve: { alias: { '@shared': here('./shared') } },
    define: {
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      __VUE_I18N_FULL_INSTALL__: 'false',
      __VUE_I18N_LEGACY_API__: 'false',
      __INTLIFY_PROD_DEVTOOLS__: 'false',
      __INTLIFY_JIT_COMPILATION__: 'true',
      __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
    },
    build: {
      outDir: here(`../gateway/webui/dist/${face}`),
      emptyOutDir: true,
      target: 'es2020',
      sourcemap: false,
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      reportCompressedSize: true,
      chunkSizeWarningLimit: 1200,
    },
    server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
  }
}
