import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) } },
  test: { include: ['shared/**/*.test.ts', 'h5/**/*.test.ts', 'console/**/*.test.ts'], environment: 'node' },
})
