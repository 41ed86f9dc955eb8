import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['shared/**/*.test.ts', 'h5/**/*.test.ts'], environment: 'node' },
})
