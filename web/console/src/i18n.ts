import { makeI18n } from '@shared/i18n'

const zh = {
  app: { title: '一码通 · 学校管理后台', lang: 'English', logout: '退出登录' },
  login: {
    title: '工作人员登录', school: '学校代码', username: '用户名', password: '密码', submit: '登录',
    required: '请填写完整',
  },
  role: {
    STAFF_ROLE_SCHOOL_ADMIN: '学校管理员', STAFF_ROLE_FINANCE: '财务', STAFF_ROLE_CANTEEN_MANAGER: '食堂管理员', STAFF_ROLE_TEACHER: '班主任',
  },
  menu: { pupils: '学生', canteens: '食堂', fees: '学杂费', totals: '营业统计', staff: '工作人员', limits: '学校限额' },
  soon: { title: '即将上线', text: '该功能将在后续版本中提供。' },
  pupils: {
    class: '班级', classPh: '班级代码，如 3-1', search: '查询', more: '加载更多', studentNo: '学号', name: '姓名',
    balance: '余额', card: '卡状态', generation: '卡版本', empty: '没有学生', count: '共 {n} 人（已加载）',
  },
  card: { active: '正常', lost: '已挂失', expired: '已过期' },
}

const en: typeof zh = {
  app: { title: 'OneCode · School console', lang: '中文', logout: 'Log out' },
  login: {
    title: 'Staff login', school: 'School code', username: 'Username', password: 'Password', submit: 'Log in',
    required: 'Fill in every field',
  },
  role: {
    STAFF_ROLE_SCHOOL_ADMIN: 'School admin', STAFF_ROLE_FINANCE: 'Finance', STAFF_ROLE_CANTEEN_MANAGER: 'Canteen manager', STAFF_ROLE_TEACHER: 'Teacher',
  },
  menu: { pupils: 'Pupils', canteens: 'Canteens', fees: 'Fees', totals: 'Canteen totals', staff: 'Staff', limits: 'School limits' },
  soon: { title: 'Coming soon', text: 'This part arrives in a later version.' },
  pupils: {
    class: 'Class', classPh: 'Class code, e.g. 3-1', search: 'Search', more: 'Load more', studentNo: 'Student no.', name: 'Name',
    balance: 'Balance', card: 'Card', generation: 'Card gen.', empty: 'No pupils', count: '{n} pupils loaded',
  },
  card: { active: 'Active', lost: 'Lost', expired: 'Expired' },
}

export const i18n = makeI18n({ 'zh-CN': zh, 'en-US': en })
