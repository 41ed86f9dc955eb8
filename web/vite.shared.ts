// One build setup for both faces: reproducible (no timestamps, content hashes only),
// no inline scripts or styles in index.html (the switch serves them under a strict
// Content-Security-Policy), no data: URIs for our own assets, built straight into
// gateway/webui/dist/<face>, which is committed and embedded in the binary.
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'
import type { UserConfig } from 'vite'

export function faceConfig(face: 'h5' | 'console'): UserConfig {
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
  return {
    root: here(`./${face}`),
    base: `/${face}/`,
    plugins: [vue()],
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
