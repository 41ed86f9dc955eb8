import { defineConfig } from 'vite'
import { faceConfig } from '../vite.shared.ts'

export default defineConfig(faceConfig('console'))
