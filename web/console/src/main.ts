import { createApp } from 'vue'
import App from './App.vue'
import { useElements } from './elements'
import { i18n } from './i18n'
import { router } from './router'
import './style.css'

const app = createApp(App)
useElements(app)
app.use(i18n).use(router).mount('#app')
