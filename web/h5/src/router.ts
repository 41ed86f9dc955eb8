import { createRouter, createWebHistory } from 'vue-router'
import { client } from './api'
import Login from './views/Login.vue'
import Children from './views/Children.vue'

export const router = createRouter({
  history: createWebHistory('/h5/'),
  routes: [
    { path: '/login', name: 'login', component: Login, meta: { public: true } },
    { path: '/', name: 'children', component: Children },
    { path: '/notifications', name: 'prefs', component: () => import('./views/NotifyPrefs.vue') },
    // WeChat's OAuth page sends the browser back here with code and state.
    { path: '/wechat-link', name: 'wechatLink', component: () => import('./views/WeChatLink.vue') },
    { path: '/inbox', name: 'inbox', component: () => import('./views/Inbox.vue') },
    { path: '/bind', name: 'bind', component: () => import('./views/Bind.vue') },
    { path: '/child/:id', name: 'child', component: () => import('./views/ChildDetail.vue'), props: true },
    { path: '/child/:id/history', name: 'history', component: () => import('./views/History.vue'), props: true },
    { path: '/child/:id/recharge', name: 'recharge', component: () => import('./views/Recharge.vue'), props: true },
    { path: '/child/:id/cap', name: 'cap', component: () => import('./views/DailyCap.vue'), props: true },
    { path: '/child/:id/bills', name: 'bills', component: () => import('./views/Bills.vue'), props: true },
    { path: '/child/:id/bills/:itemId', name: 'bill', component: () => import('./views/BillDetail.vue'), props: true },
    { path: '/child/:id/bills/:itemId/orders/:orderId', name: 'billPayResult', component: () => import('./views/BillPayResult.vue'), props: true },
    { path: '/child/:id/bills/:itemId/receipt', name: 'receipt', component: () => import('./views/Receipt.vue'), props: true },
    { path: '/recharges/:orderId', name: 'rechargeResult', component: () => import('./views/RechargeResult.vue'), props: true },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.public && !client.loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.name === 'login' && client.loggedIn) return { name: 'children' }
  return true
})

window.addEventListener('onecode:logged-out', () => {
  if (router.currentRoute.value.name !== 'login') void router.replace({ name: 'login' })
})
