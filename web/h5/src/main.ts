import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { useVant, vantLocale } from './vant'
import { savedLocale } from '@shared/i18n'
import './style.css'

vantLocale(savedLocale())
const app = createApp(App)
useVant(app)
app.use(i18n).use(router).mount('#app')
