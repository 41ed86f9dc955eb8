import { createRouter, createWebHistory } from 'vue-router'
import { api, client, restoreOperator, session } from './api'
import { homeFor, sections } from './menu'
import Login from './views/Login.vue'
import Layout from './views/Layout.vue'

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/login', name: 'login', component: Login, meta: { public: true } },
    {
      path: '/', component: Layout, children: [
        { path: '', name: 'home', redirect: () => ({ name: homeFor(session.role) }) },
        { path: 'pupils', name: 'pupils', component: () => import('./views/Pupils.vue') },
        { path: 'pupils/import', name: 'import', component: () => import('./views/PupilImport.vue') },
        { path: 'pupils/:id', name: 'pupil', component: () => import('./views/PupilDetail.vue'), props: true },
        { path: 'canteens', name: 'canteens', component: () => import('./views/Canteens.vue') },
        { path: 'canteens/:id/dishes', name: 'dishes', component: () => import('./views/Dishes.vue'), props: true },
        { path: 'totals', name: 'totals', component: () => import('./views/Totals.vue') },
        { path: 'staff', name: 'staff', component: () => import('./views/StaffUsers.vue') },
        { path: 'fees', name: 'fees', component: () => import('./views/Fees.vue') },
        { path: 'fees/new', name: 'feeNew', component: () => import('./views/FeeEdit.vue') },
        { path: 'fees/:id/edit', name: 'feeEdit', component: () => import('./views/FeeEdit.vue'), props: true },
        { path: 'fees/:id', name: 'fee', component: () => import('./views/FeeDetail.vue'), props: true },
        { path: 'limits', name: 'limits', component: () => import('./views/Limits.vue') },
        { path: 'refunds', name: 'refunds', component: () => import('./views/Refunds.vue') },
        { path: 'notices', name: 'notices', component: () => import('./views/Notices.vue') },
        { path: 'ops', name: 'ops', component: () => import('./views/Ops.vue') },
        ...sections.filter((s) => !s.ready).map((s) => ({ path: s.path.slice(1), name: s.name, component: () => import('./views/Soon.vue') })),
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async (to) => {
  if (to.meta.public) return client.loggedIn && to.name === 'login' ? { name: 'home' } : true
  if (!client.loggedIn) return { name: 'login' }
  if (!session.role && !restoreOperator()) {
    try {
      await api.whoami()
    } catch {
      return { name: 'login' }
    }
  }
  return true
})

window.addEventListener('onecode:logged-out', () => {
  if (router.currentRoute.value.name !== 'login') void router.replace({ name: 'login' })
})
