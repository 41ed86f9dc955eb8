import { makeI18n } from '@shared/i18n'

const zh = {
  app: { title: '一码通 · 学校管理后台', lang: 'English', logout: '退出登录', menu: '菜单', close: '关闭', cancel: '取消', confirm: '确定', save: '保存', back: '返回', loading: '加载中…', reload: '刷新' },
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
    title: '学生', class: '班级', allClasses: '全校', pickClass: '请选择班级', search: '按姓名或学号查找（已加载的学生）',
    more: '加载更多', studentNo: '学号', name: '姓名', balance: '余额', card: '卡状态', generation: '卡版本',
    empty: '没有学生', count: '共 {n} 人（已加载）', shown: '显示 {n} 人', import: '导入学生', sheet: '下载班级卡片（PDF）',
    sheetHint: '选择一个班级后可下载该班的二维码卡片页', sheetSaved: '已下载 {name}', detail: '详情', actions: '操作',
  },
  card: { active: '正常', lost: '已挂失', expired: '已过期' },
  import: {
    title: '导入学生', file: '文件', pick: '选择文件', fileHint: 'XLSX 或 CSV（UTF-8 或 GBK），首行为表头：学号、姓名、班级、身份证号（身份证号可不填），最多 2000 人，4 MB 以内。',
    noFile: '未选择文件', badType: '请选择 .xlsx 或 .csv 文件', tooBig: '文件超过 4 MB', mode: '已有学生', createOnly: '只新建（已有学生信息不同则报错）', update: '更新已有学生（姓名、班级、身份证号）',
    expiry: '卡有效期至', submit: '开始导入', failed: '文件中有 {n} 行错误，本次没有导入任何学生。请修正后重新导入。',
    row: '行号', reason: '问题', detail: '说明', done: '导入完成：共 {n} 人', created: '新建', updated: '更新', unchanged: '未变', outcome: '结果',
    next: '下一步：在“学生”中选择班级，下载班级卡片打印；为家长签发绑定码。', toPupils: '查看学生',
    outcomes: { IMPORT_OUTCOME_CREATED: '新建', IMPORT_OUTCOME_UPDATED: '更新', IMPORT_OUTCOME_UNCHANGED: '未变', IMPORT_OUTCOME_UNSPECIFIED: '—' },
  },
  pupil: {
    title: '学生详情', account: '账户', class: '班级', balance: '余额', card: '卡状态', generation: '卡版本',
    loss: '挂失', lossConfirm: '挂失后，{name} 的旧卡二维码立即失效，在食堂无法消费。余额不受影响，可稍后补卡。确定挂失吗？', lossDone: '已挂失',
    reissue: '补卡', reissueTitle: '补办新卡', reissueExpiry: '新卡有效期至', reissueSubmit: '生成新卡',
    reissueDone: '新卡已生成（第 {gen} 版）', qr: '新卡二维码内容', qrHint: '旧卡从此失效。请打印新卡：在“学生”页选择该班级下载班级卡片（PDF），或将此二维码内容交给制卡系统。此内容等同于卡片，请勿外传。',
    bindCode: '签发家长绑定码', bindTitle: '家长绑定码', bindHint: '此绑定码只显示这一次，请打印或抄写在给家长的通知单上。家长在手机页“绑定孩子”时填写。再次签发会使旧码失效。',
    bindExpires: '有效期至 {at}', print: '打印通知单', slipTitle: '一码通 · 家长绑定通知', slipText: '请在手机上打开学校一码通家长页面，登录后选择“绑定孩子”，填写学校代码、孩子姓名、学号和下面的绑定码。',
    school: '学校代码',
    guardians: '已绑定的家长', noGuardians: '尚无家长绑定', phone: '手机', relation: '关系', boundAt: '绑定时间',
    unbind: '解除绑定', unbindConfirm: '确定解除 {phone} 与该学生的绑定吗？其他家长会收到通知。', unbound: '已解除绑定',
    history: '消费与充值记录', noHistory: '暂无记录', at: '时间', kind: '类型', amount: '金额', items: '明细', place: '地点', arrears: '欠款',
    kinds: { purchase: '消费', void: '撤销', recharge: '充值', subsidy: '补助', fee: '缴费', loss_report: '挂失', reissue: '补卡', limits: '限额' },
  },
  canteens: {
    title: '食堂', add: '新建食堂', id: '食堂编号', name: '名称', rename: '改名', dishes: '菜品', terminals: '终端',
    none: '还没有食堂', save: '保存', idHint: '字母、数字、_ . -，如 C2；建立后不可更改',
    terminal: '终端编号', terminalName: '名称', enabled: '启用', canOverride: '可欠款放行', createdAt: '注册时间',
    register: '注册终端', registerTitle: '注册终端', noTerminals: '没有终端',
    secretTitle: '终端密钥（只显示这一次）', secretWarn: '请立即把此密钥配置到终端设备上。关闭后无法再次查看；丢失只能注册新终端。不要通过聊天工具或邮件发送。',
    copy: '复制', copied: '已复制', copyFailed: '复制失败，请手动选择复制', enabledOn: '已启用 {id}', enabledOff: '已停用 {id}：该终端立即不能收款',
  },
  dishes: {
    title: '{name} · 菜品', barcode: '条码', name: '名称', price: '价格', kcal: '热量(千卡)', protein: '蛋白质(克)', fat: '脂肪(克)', carb: '碳水(克)',
    allergens: '过敏原', active: '在售', add: '新增菜品', edit: '编辑', saved: '已保存（菜单版本 {v}）', none: '还没有菜品', priceYuan: '价格（元）',
    badPrice: '请输入正确的价格（元，最多两位小数）', badGrams: '请输入正确的克数（最多三位小数）', badKcal: '热量应为整数',
    allergenList: { egg: '鸡蛋', milk: '牛奶', soy: '大豆', wheat: '小麦', peanut: '花生', 'tree-nut': '坚果', fish: '鱼', shellfish: '贝类/虾蟹', sesame: '芝麻' },
  },
  totals: {
    title: '营业统计', canteen: '食堂', from: '开始日期', to: '结束日期', query: '查询', day: '日期', count: '笔数', sum: '净营业额',
    total: '合计：{count} 笔，{sum}', none: '该时段没有营业记录', noCanteen: '还没有食堂', chart: '每日净营业额柱状图',
  },
  staff: {
    title: '工作人员账号', hint: '新建或修改本校工作人员账号。用户名相同即修改该账号；密码留空则不修改（新建必须设置）。',
    username: '用户名', role: '角色', class: '班级', password: '新密码', passwordHint: '10–128 个字符；留空不修改', enabled: '启用',
    submit: '保存账号', saved: '已保存：{username}（{role}）', id: '账号编号',
  },
}

const en: typeof zh = {
  app: { title: 'OneCode · School console', lang: '中文', logout: 'Log out', menu: 'Menu', close: 'Close', cancel: 'Cancel', confirm: 'OK', save: 'Save', back: 'Back', loading: 'Loading…', reload: 'Reload' },
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
    title: 'Pupils', class: 'Class', allClasses: 'Whole school', pickClass: 'Pick a class', search: 'Find by name or student no. (loaded pupils)',
    more: 'Load more', studentNo: 'Student no.', name: 'Name', balance: 'Balance', card: 'Card', generation: 'Card gen.',
    empty: 'No pupils', count: '{n} pupils loaded', shown: '{n} shown', import: 'Import pupils', sheet: 'Download class card sheet (PDF)',
    sheetHint: 'Pick a class to download its sheet of QR cards', sheetSaved: 'Downloaded {name}', detail: 'Details', actions: 'Actions',
  },
  card: { active: 'Active', lost: 'Lost', expired: 'Expired' },
  import: {
    title: 'Import pupils', file: 'File', pick: 'Choose a file', fileHint: 'XLSX or CSV (UTF-8 or GBK) whose first row is the header 学号 (student no.), 姓名 (name), 班级 (class), 身份证号 (ID number, optional); up to 2,000 pupils, 4 MB.',
    noFile: 'No file chosen', badType: 'Choose a .xlsx or .csv file', tooBig: 'The file is larger than 4 MB', mode: 'Existing pupils', createOnly: 'Create only (a pupil with other details is an error)', update: 'Update existing pupils (name, class, ID number)',
    expiry: 'Cards valid until', submit: 'Import', failed: '{n} rows of the file have errors: nothing was imported. Fix them and import again.',
    row: 'Row', reason: 'Problem', detail: 'Details', done: 'Imported: {n} pupils', created: 'Created', updated: 'Updated', unchanged: 'Unchanged', outcome: 'Outcome',
    next: 'Next: pick the class under Pupils and download its card sheet to print; issue bind codes for the parents.', toPupils: 'See the pupils',
    outcomes: { IMPORT_OUTCOME_CREATED: 'Created', IMPORT_OUTCOME_UPDATED: 'Updated', IMPORT_OUTCOME_UNCHANGED: 'Unchanged', IMPORT_OUTCOME_UNSPECIFIED: '—' },
  },
  pupil: {
    title: 'Pupil', account: 'Account', class: 'Class', balance: 'Balance', card: 'Card', generation: 'Card gen.',
    loss: 'Report lost', lossConfirm: 'Once reported, the QR code of {name}\'s card stops working at once: it cannot pay in the canteen. The balance stays; a new card can be issued later. Report the card lost?', lossDone: 'Reported lost',
    reissue: 'Re-issue card', reissueTitle: 'Re-issue the card', reissueExpiry: 'New card valid until', reissueSubmit: 'Make the new card',
    reissueDone: 'New card made (generation {gen})', qr: 'The new card\'s QR text', qrHint: 'The old card stops working now. Print the new card: pick the class under Pupils and download its card sheet (PDF), or give this QR text to the card printer. It is as good as the card: do not share it.',
    bindCode: 'Issue a parent bind code', bindTitle: 'Parent bind code', bindHint: 'This code is shown only this once: print it or copy it onto the slip for the parents, who enter it under "Bind a child" on the phone page. Issuing again voids this code.',
    bindExpires: 'Valid until {at}', print: 'Print the slip', slipTitle: 'OneCode · binding slip for parents', slipText: 'Open the school\'s OneCode parent page on your phone, log in, choose "Bind a child" and enter the school code, the child\'s name and student number, and the bind code below.',
    school: 'School code',
    guardians: 'Parents bound', noGuardians: 'No parent bound yet', phone: 'Phone', relation: 'Relation', boundAt: 'Bound at',
    unbind: 'Unbind', unbindConfirm: 'Unbind {phone} from this pupil? The other parents are told.', unbound: 'Unbound',
    history: 'Meals and payments', noHistory: 'Nothing yet', at: 'Time', kind: 'Kind', amount: 'Amount', items: 'Items', place: 'Place', arrears: 'Arrears',
    kinds: { purchase: 'Meal', void: 'Void', recharge: 'Recharge', subsidy: 'Subsidy', fee: 'Fee', loss_report: 'Loss report', reissue: 'Re-issue', limits: 'Limits' },
  },
  canteens: {
    title: 'Canteens', add: 'New canteen', id: 'Canteen id', name: 'Name', rename: 'Rename', dishes: 'Dishes', terminals: 'Terminals',
    none: 'No canteen yet', save: 'Save', idHint: 'Letters, digits, _ . -, e.g. C2; cannot change later',
    terminal: 'Terminal id', terminalName: 'Name', enabled: 'Enabled', canOverride: 'May approve arrears', createdAt: 'Registered',
    register: 'Register a terminal', registerTitle: 'Register a terminal', noTerminals: 'No terminal',
    secretTitle: 'Terminal secret (shown only once)', secretWarn: 'Configure this secret on the device now. It cannot be shown again once closed; if lost, register a new terminal. Do not send it by chat or e-mail.',
    copy: 'Copy', copied: 'Copied', copyFailed: 'Copy failed: select the text and copy it', enabledOn: '{id} enabled', enabledOff: '{id} disabled: it cannot take money from now on',
  },
  dishes: {
    title: '{name} · dishes', barcode: 'Barcode', name: 'Name', price: 'Price', kcal: 'Energy (kcal)', protein: 'Protein (g)', fat: 'Fat (g)', carb: 'Carbs (g)',
    allergens: 'Allergens', active: 'On sale', add: 'New dish', edit: 'Edit', saved: 'Saved (menu version {v})', none: 'No dish yet', priceYuan: 'Price (yuan)',
    badPrice: 'Enter a price in yuan with at most two decimals', badGrams: 'Enter grams with at most three decimals', badKcal: 'Energy is a whole number',
    allergenList: { egg: 'Egg', milk: 'Milk', soy: 'Soy', wheat: 'Wheat', peanut: 'Peanut', 'tree-nut': 'Tree nuts', fish: 'Fish', shellfish: 'Shellfish', sesame: 'Sesame' },
  },
  totals: {
    title: 'Canteen totals', canteen: 'Canteen', from: 'From', to: 'To', query: 'Show', day: 'Day', count: 'Sales', sum: 'Net turnover',
    total: 'Total: {count} sales, {sum}', none: 'No sales in these days', noCanteen: 'No canteen yet', chart: 'Bar chart of the net turnover per day',
  },
  staff: {
    title: 'Staff accounts', hint: 'Create or change a staff account of your school. The same username changes that account; an empty password keeps it (a new account needs one).',
    username: 'Username', role: 'Role', class: 'Class', password: 'New password', passwordHint: '10–128 characters; empty keeps the current one', enabled: 'Enabled',
    submit: 'Save the account', saved: 'Saved: {username} ({role})', id: 'Account id',
  },
}

export const i18n = makeI18n({ 'zh-CN': zh, 'en-US': en })
