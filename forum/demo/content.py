"""Demo community content: accounts and support threads for `flask --app forum demo`.

Data only. The platform, products, order numbers and error codes are invented; no real phone numbers,
card numbers, ID numbers or e-mail addresses (accounts use example.com).

Official support hours used throughout: Monday–Friday 09:00–18:00 Beijing time, closed on Chinese
public holidays.

Timing: `days_ago` is when a question was asked; a question's comments, edits and answers use
`hours_after` the question; an answer's comments use `hours_after` the answer.
"""

# Not used by any code: a reminder that every demo account follows the pattern demo-<kind>-2026.
# These passwords are for local demos only; never reuse them on a real deployment.
DEMO_PASSWORD_HINT = "demo-<member|expert|staff|mod>-2026 (local demo accounts only)"

USERS = [
    {
        "username": "xiaoming",
        "email": "xiaoming@example.com",
        "password": "demo-member-2026",
        "role": "member",
        "reputation": 12,
        "locale": "zh_CN",
        "about": "普通上班族，平时主要用平台点外卖、网购。刚来社区，问题比较多，请大家多指教～",
    },
    {
        "username": "laowang",
        "email": "laowang@example.com",
        "password": "demo-expert-2026",
        "role": "member",
        "reputation": 2350,
        "locale": "zh_CN",
        "about": "平台老用户，从刚上线用到现在。平时喜欢研究售后、退款、账号安全这些流程，能帮就帮。"
                 "回答仅代表个人经验，一切以官方说明为准。",
    },
    {
        "username": "support_lin",
        "email": "lin@example.com",
        "password": "demo-staff-2026",
        "role": "staff",
        "reputation": 500,
        "locale": "zh_CN",
        "about": "平台官方客服团队 · 小林。人工客服时间：周一至周五 09:00–18:00（北京时间），法定节假日休息。"
                 "官方人员不会以任何理由向您索要密码或验证码。",
    },
    {
        "username": "陈小红",
        "email": "chenxiaohong@example.com",
        "password": "demo-member-2026",
        "role": "member",
        "reputation": 86,
        "locale": "zh_CN",
        "about": "两个娃的妈，家里日用品、奶粉基本都在平台上买。",
    },
    {
        "username": "小李同学",
        "email": "xiaoli@example.com",
        "password": "demo-member-2026",
        "role": "member",
        "reputation": 3,
        "locale": "zh_CN",
        "about": "大三在读，穷学生一枚，专业研究各种优惠券。",
    },
    {
        "username": "zhang_wei",
        "email": "zhangwei@example.com",
        "password": "demo-member-2026",
        "role": "member",
        "reputation": 340,
        "locale": "zh_CN",
        "about": "开了家小五金店，经常在平台上进货、付款、开发票。",
    },
    {
        "username": "tangtang",
        "email": "tangtang@example.com",
        "password": "demo-member-2026",
        "role": "member",
        "reputation": 45,
        "locale": "zh_CN",
        "about": "外卖重度用户，家里有两只猫。",
    },
    {
        "username": "emma_w",
        "email": "emma.w@example.com",
        "password": "demo-member-2026",
        "role": "member",
        "reputation": 150,
        "locale": "en",
        "about": "Living in Shanghai since 2019. Happy to help other foreigners find their way around the app.",
    },
    {
        "username": "david.k",
        "email": "david.k@example.com",
        "password": "demo-member-2026",
        "role": "member",
        "reputation": 28,
        "locale": "en",
        "about": "Software engineer in Shenzhen, still learning Chinese. Mostly use the app for food delivery "
                 "and online shopping.",
    },
    {
        "username": "橘子君",
        "email": "juzi@example.com",
        "password": "demo-mod-2026",
        "role": "moderator",
        "reputation": 900,
        "locale": "zh_CN",
        "about": "社区版主（志愿者，非平台员工）。请勿在帖子里公开手机号、完整订单信息、身份证号等隐私内容，"
                 "看到会提醒大家删掉。",
    },
]

QUESTIONS = [
    # --- 1. Official support hours and channels (English) -----------------------------------------
    {
        "author": "david.k",
        "title": "What are the official customer service hours, and is there live chat on weekends?",
        "body": """I had a problem with a refund last Saturday and the in-app chat only gave me the automated assistant, I couldn't reach a human at all. The phone line also just played a recording.

A few questions:

- What are the actual working hours for human agents?
- Is there English support?
- What's the best channel if something is really urgent (e.g. my account gets stolen)?

Thanks!""",
        "tags": ["customer-service", "working-hours", "english"],
        "category": "other",
        "days_ago": 52,
        "votes": {"up": ["emma_w", "laowang", "橘子君"], "down": []},
        "comments": [],
        "answers": [
            {
                "author": "support_lin",
                "body": """Hi David, thanks for asking. This comes up a lot, so here is the full picture.

**Live agent hours:** Monday to Friday, 09:00–18:00 Beijing time (UTC+8). We are closed on weekends and on Chinese public holidays (e.g. Spring Festival, National Day).

**Channels:**

1. **In-app chat**: *Me → Help Center → Contact us*. Outside working hours the automated assistant handles common requests (refund status, order tracking, cancellations). You can also leave a message there; an agent replies in order of receipt on the next working day.
2. **Phone hotline**: the number is shown on the *Contact us* page in the app. Please only trust the number shown there, not numbers found through search engines.
3. **Tickets**: *Help Center → My tickets*, for issues that need investigation (e.g. a refund that hasn't arrived). We reply within 1–3 working days.

**English support:** available in the in-app chat during working hours. Choose *English* from the chat menu before you start.

**Urgent security issues:** if you think your account has been stolen, you can freeze it yourself at any time via *Me → Settings → Account & Security → Emergency freeze*. It works 24/7 and needs no agent. Then contact us during working hours to check the account and unfreeze it.

Most self-service actions (refund requests, address changes before shipping, cancellations) also work 24/7.""",
                "hours_after": 3,
                "votes": {"up": ["david.k", "emma_w", "laowang", "xiaoming", "橘子君"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "laowang",
                     "body": "The emergency freeze is really useful. I used it once when I lost my phone on the metro, "
                             "took 1 minute. 强烈推荐。",
                     "hours_after": 2},
                    {"author": "david.k",
                     "body": "Perfect, that covers everything. I didn't know about the freeze option at all.",
                     "hours_after": 5},
                ],
            },
            {
                "author": "emma_w",
                "body": """Practical tip from experience: **Monday mornings are the worst**, the queue at 09:00 can easily be 50+ people because of everything that piled up over the weekend. Mid-afternoon on weekdays (around 14:00–16:00) is usually much faster.

Also, if you leave a message over the weekend with your order number in it, you often get a reply on Monday without having to queue again.""",
                "hours_after": 6,
                "votes": {"up": ["david.k", "陈小红"], "down": []},
                "comments": [],
            },
        ],
    },
    # --- 2. Finding an old order ------------------------------------------------------------------
    {
        "author": "陈小红",
        "title": "两年前买的电饭煲要保修，订单列表里找不到了，去哪里查历史订单？",
        "body": """家里的电饭煲用了快两年，最近内胆涂层掉得厉害，联系了厂家售后，对方说要提供**购买凭证**（订单截图或者发票都可以）。

问题是我在「我的 → 全部订单」里一直往下翻，翻到去年这个时候就到底了，再往前一单都没有。我很确定是在平台上买的，当时还用了一张满减券。

是超过一定时间订单就被自动删除了吗？还能找回来吗？厂家说保修期两年，再拖就过了……""",
        "tags": ["历史订单", "订单查询", "保修"],
        "category": "orders",
        "days_ago": 45,
        "votes": {"up": ["小李同学", "xiaoming"], "down": []},
        "comments": [],
        "answers": [
            {
                "author": "laowang",
                "body": """订单没删，只是默认列表里只显示**最近一年**的订单，更早的被归到「历史订单」里了：

1. 打开 App，进「我的 → 全部订单」；
2. 点右上角的「···」（有的版本是搜索框旁边的筛选图标）；
3. 选「历史订单」，一年以前的都在这里，可以按年份筛选；
4. 实在翻不到就直接用订单页顶上的搜索，搜商品名，比如「电饭煲」，搜索结果是包含历史订单的。

还有两个常见的坑：

- 如果当时**手动删除过订单**，去「全部订单 → ··· → 订单回收站」看看，回收站里的可以还原；
- 如果是用**家里人的账号**，或者你以前另一个手机号注册的账号下的单，那就只能登那个账号查了。

找到以后，订单详情页往下拉有「查看购买凭证」，截图或者直接保存图片发给厂家就行。要发票的话看页面上还有没有「申请发票」按钮，时间太久的订单能不能补开要看商家，一般厂家有订单截图就够了。""",
                "hours_after": 6,
                "votes": {"up": ["陈小红", "zhang_wei", "xiaoming", "橘子君", "tangtang"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "陈小红",
                     "body": "找到了！在历史订单里，原来是我一直没注意右上角那三个点。购买凭证已经发给厂家了，谢谢～",
                     "hours_after": 2},
                    {"author": "zhang_wei",
                     "body": "学到了，我一直以为一年前的订单就没了，去年进的一批货还想找来着。",
                     "hours_after": 20},
                ],
            },
        ],
    },
    # --- 3. Invoice (English) ---------------------------------------------------------------------
    {
        "author": "emma_w",
        "title": "How do I get a company invoice (fapiao) for an order, and can I fix the company name after it's issued?",
        "body": """My company reimburses work equipment, and finance needs a **fapiao with the company name and tax ID**. I bought a monitor on the platform two weeks ago.

I found the *Request invoice* button in the order details, but I'm not sure about a few things:

1. Should I choose *Individual* or *Company*?
2. What is the difference between a *general e-invoice* (普通发票) and a *special VAT invoice* (专用发票)? Finance just said "fapiao".
3. For an earlier order I already requested one, and there's a typo in the company name. Can that still be corrected?""",
        "tags": ["invoice", "fapiao", "reimbursement"],
        "category": "other",
        "days_ago": 30,
        "votes": {"up": ["david.k"], "down": []},
        "comments": [],
        "answers": [
            {
                "author": "laowang",
                "body": """I do this every month for my own business, so here is what I know:

1. Choose **Company** (单位). You need the full company name and the **taxpayer ID** (纳税人识别号, 18 characters, letters and digits). Copy both exactly from what your finance team gives you. One wrong character and they will reject it.
2. A **general e-invoice (普通发票)** is enough for most reimbursements. A **special VAT invoice (专用发票)** is only needed if your company wants to deduct input VAT; then you also need the company's registered address, phone and bank account details, and not every seller can issue it. Ask finance which one they need. If they only say "fapiao", it's almost always the general one.
3. Yes. Open the old order → **Invoice details → Request re-issue (换开)**, correct the title and submit. The seller voids the old invoice and issues a new one, usually within 1–3 working days. Most sellers only allow one re-issue per order, so double-check everything this time.

Invoices are issued by the seller, not by the platform, usually a few days after you confirm receipt. The e-invoice is a PDF you can download from the order page.""",
                "hours_after": 5,
                "votes": {"up": ["emma_w", "zhang_wei", "david.k"], "down": []},
                "comments": [
                    {"author": "zhang_wei",
                     "body": "补充一点：现在专票很多也是电子的了（数电票），不用再等纸质邮寄，下载 PDF 就行。",
                     "hours_after": 3},
                    {"author": "emma_w",
                     "body": "Finance confirmed the general e-invoice is fine. Re-issue for the old order submitted "
                             "as well. Thanks a lot!",
                     "hours_after": 26},
                ],
            },
        ],
    },
    # --- 4. Changing an order after paying (English) ----------------------------------------------
    {
        "author": "david.k",
        "title": "Can I change the size of an item after I already paid for the order?",
        "body": """I ordered a pair of running shoes an hour ago and just realised I picked **EU 43 instead of 44**. The order is paid and the status says *Awaiting shipment*.

In the order details I can see *Modify address*, but nothing about changing the item or the size. Do I have to cancel and order again? I used a ¥20 coupon and I'm worried I'll lose it if I cancel.

The order number looks like `TP2026031012345`, in case that matters.""",
        "tags": ["order", "modify-order", "coupon"],
        "category": "orders",
        "days_ago": 27,
        "votes": {"up": ["emma_w"], "down": []},
        "comments": [],
        "answers": [
            {
                "author": "emma_w",
                "body": """I did exactly this last month. If the seller hasn't shipped yet it's pretty painless:

1. Open the order and tap **Contact seller** (the chat bubble icon).
2. Ask them to change the size to 44. Many sellers can change the variant on their side before shipping, and you'll see the order update.
3. If they can't, they'll tell you to cancel and reorder.

Be quick though: once it's shipped you'd have to go through an exchange instead.""",
                "hours_after": 1,
                "votes": {"up": ["david.k", "laowang"], "down": []},
                "comments": [],
            },
            {
                "author": "support_lin",
                "body": """Hi David, adding the official details to Emma's answer:

- **Before the seller ships:** the seller can change the size or colour if it is the same product at the same price. Contact them via *Order details → Contact seller*. If the price is different, they will ask you to cancel and reorder.
- **Cancelling an unshipped order:** *Order details → Cancel order*, then choose a reason. The money goes back to the original payment method: instantly for wallet balance, usually within 1–7 working days for bank cards.
- **Coupons:** when an unshipped order is cancelled, a coupon that is still valid is returned to *Me → Coupons* automatically, usually within a few minutes. Expired coupons cannot be returned.
- **After shipping:** the order can no longer be modified. Once you receive it, you can request an exchange via *Order details → After-sales → Exchange*.

If anything goes wrong, our live agents are available Monday–Friday 09:00–18:00 Beijing time (closed on Chinese public holidays).""",
                "hours_after": 3,
                "votes": {"up": ["david.k", "emma_w", "laowang"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "david.k",
                     "body": "The seller changed it to 44 within 10 minutes. Good to know about the coupon too, "
                             "thanks both!",
                     "hours_after": 1},
                ],
            },
        ],
    },
    # --- 5. Changing the bound phone number --------------------------------------------------------
    {
        "author": "zhang_wei",
        "title": "原来的手机号已经停用了，账号绑定的手机号怎么换？",
        "body": """之前那个号是公司给办的，离职以后号被公司收回注销了。现在账号绑定的还是那个老号，用密码登录没问题，但是每次付大额货款都要短信验证，根本收不到。

我在「我的 → 设置 → 账号与安全 → 手机号」里点「更换手机号」，第一步就要往旧手机号发验证码，直接卡住了。

账号里还有一些余额，还存了好几个发票抬头，实在不想重新注册一个。有没有别的办法？""",
        "tags": ["手机号", "换绑", "账号安全"],
        "category": "account",
        "days_ago": 24,
        "votes": {"up": ["陈小红", "xiaoming"], "down": []},
        "comments": [],
        "answers": [
            {
                "author": "laowang",
                "body": """旧号收不到验证码的情况，换绑页面是有单独入口的：

1. 「我的 → 设置 → 账号与安全 → 手机号 → 更换手机号」；
2. 在要给旧号发验证码的那一页，底下有一行小字「原手机号已停用？」，点它；
3. 按提示做**人脸识别**（前提是账号已经实名认证，而且实名的是你本人）；
4. 通过以后输入新手机号，用新号收验证码，完成换绑。

人脸通过的话当场就生效。如果账号没实名，或者实名的不是你本人（比如当初用同事的身份认证的），就只能走人工申诉，提交材料审核，一般 1–3 个工作日出结果。

另外换绑后 **7 天内**可能会有些限制，比如不能提现、不能改支付密码，这是安全保护，过了就自动解除，不用管它。""",
                "hours_after": 4,
                "votes": {"up": ["zhang_wei", "support_lin", "陈小红", "小李同学"], "down": []},
                "comments": [
                    {"author": "zhang_wei",
                     "body": "人脸那一步一直提示「光线不足」，晚上在店里弄不了，明天白天再试试。",
                     "hours_after": 1},
                    {"author": "support_lin",
                     "body": "补充：无法完成人脸识别时，可在「原手机号已停用？→ 无法人脸验证」提交人工申诉，审核期间账号可正常使用，"
                             "结果会通过站内信通知。平台工作人员不会通过电话或私信向您索要验证码。",
                     "hours_after": 3},
                    {"author": "zhang_wei",
                     "body": "白天站窗边一次就过了，新号已经绑好，付款验证码也能收到了。",
                     "hours_after": 20},
                ],
            },
        ],
    },
    # --- 6. Password reset not working ------------------------------------------------------------
    {
        "author": "xiaoming",
        "title": "忘记密码点了「重置密码」，邮件里的链接一打开就提示已失效，怎么办？",
        "body": """好久没用电脑登录了，今天死活想不起密码。按提示点了「忘记密码」，选的邮箱找回，邮件很快就收到了，但是点邮件里的链接，页面直接显示链接已失效。

前后试了三四次，每次都是等新邮件到了再点，结果都一样。手机号找回我也试了，提示「该手机号未绑定账号」，可我记得注册的时候填的就是现在这个号……

现在的情况：

1. App 之前一直是登录状态，前两天换了新手机，重新登录就进不去了
2. 邮箱找回：链接一打开就失效
3. 手机号找回：提示未绑定

有没有人遇到过？急，账号里还有一个没收货的订单。""",
        "tags": ["登录", "找回密码", "重置密码"],
        "category": "account",
        "days_ago": 20,
        "votes": {"up": ["laowang", "tangtang"], "down": []},
        "comments": [
            {"author": "laowang",
             "body": "页面上具体写的什么？有没有错误码？另外你用的是什么邮箱，公司邮箱还是个人邮箱？这个挺关键的。",
             "hours_after": 1},
        ],
        "edits": [
            {
                "by": "xiaoming",
                "hours_after": 2,
                "summary": "补充了报错原文和用的邮箱",
                "body": """好久没用电脑登录了，今天死活想不起密码。按提示点了「忘记密码」，选的邮箱找回，邮件很快就收到了，但是点邮件里的链接，页面直接显示链接已失效。

前后试了三四次，每次都是等新邮件到了再点，结果都一样。手机号找回我也试了，提示「该手机号未绑定账号」，可我记得注册的时候填的就是现在这个号……

现在的情况：

1. App 之前一直是登录状态，前两天换了新手机，重新登录就进不去了
2. 邮箱找回：链接一打开就失效
3. 手机号找回：提示未绑定

有没有人遇到过？急，账号里还有一个没收货的订单。

**补充：** 报错原文是「该链接已失效或已被使用（R1002）」。邮箱是公司邮箱，在办公室电脑的 Outlook 里点的链接。""",
            },
        ],
        "answers": [
            {
                "author": "laowang",
                "body": """看了你的补充，我之前也碰到过一模一样的情况，基本是两个原因叠在一起：

1. **只有最新一封邮件里的链接有效**。每点一次「发送」，之前发的链接就全部作废，而且有效期只有 30 分钟。等邮件的时候手快又点了一次发送，就会出现"刚收到就失效"。
2. **公司邮箱会先把链接"点"一遍**。很多企业邮箱的安全网关会自动访问邮件里的链接，检查是不是钓鱼网站。重置链接是一次性的，被它访问过就算"已被使用"了，R1002 基本就是这个。

建议这样操作：

1. 在 App 登录页点「遇到问题 → 忘记密码」，选「邮箱找回」，**只点一次发送**；
2. 邮件到了以后别点链接，往下看，链接下面还有一个 **6 位数的邮件验证码**；
3. 回到 App，在找回页面选「使用邮件验证码」，输进去，设置新密码。

至于手机号提示未绑定，很可能你当初是用邮箱注册的，手机号一直没绑过，或者绑的是以前的旧号。登录进去以后在「我的 → 设置 → 账号与安全」里能看到绑的是哪个（中间几位打码），不对的话顺手换绑一下。""",
                "hours_after": 3,
                "votes": {"up": ["xiaoming", "support_lin", "陈小红", "emma_w"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "support_lin",
                     "body": "补充一下：密码重置链接有效期为 30 分钟，且仅最新一封邮件中的链接有效。如仍无法找回，"
                             "可在工作日 09:00–18:00 联系在线人工客服核实身份后协助处理。",
                     "hours_after": 2},
                    {"author": "xiaoming",
                     "body": "用邮件验证码搞定了！！果然是公司邮箱的锅。手机号那个确实是我好几年前的旧号，已经换绑了，谢谢老王！",
                     "hours_after": 4},
                ],
            },
        ],
    },
    # --- 7. Changing the delivery address of a shipped order -------------------------------------
    {
        "author": "tangtang",
        "title": "订单已经发货了，收货地址填成了老家的，还能改吗？",
        "body": """前天下单买了一箱猫粮，结果默认地址是老家的（过年的时候往家里寄东西改的，忘了改回来），今天一看已经发货了，寄到老家要一千多公里……

订单详情里的「修改地址」按钮是灰的，点不了。

- 快递显示「运输中」，目前还在发货城市
- 老家那边这段时间没人，寄过去也没人收

**请问这种情况还能改地址吗？还是只能等到了拒收？**""",
        "tags": ["收货地址", "已发货", "物流"],
        "category": "orders",
        "days_ago": 18,
        "votes": {"up": ["陈小红"], "down": []},
        "comments": [
            {"author": "zhang_wei",
             "body": "建议以后下单前看一眼地址…我也干过一次，寄到前公司去了，还好前台帮忙收了。",
             "hours_after": 1},
        ],
        "answers": [
            {
                "author": "laowang",
                "body": """发货之后 App 里的「修改地址」就锁死了，因为地址已经打在快递面单上了。不过你这个还在发货城市，来得及，按推荐顺序试：

**1. 物流详情里申请改地址（最省事）**
订单详情 → 查看物流，拉到页面底部，看有没有「修改收货地址」或者「拦截/改派」。合作快递大多支持，提交后快递那边审核，一般几个小时出结果。跨省改派**可能要补一点运费**，页面上会提示。

**2. 找商家帮忙拦截**
联系商家客服，说明情况，请他们联系快递拦截退回，退回后再重新发到新地址。很多商家愿意帮忙，但来回运费可能要你出。

**3. 直接联系快递**
物流详情里有快递公司的官方客服入口，报运单号就能申请改地址。注意只用 App 里显示的入口，别去网上搜什么"快递客服电话"，假的很多。

**4. 实在不行就拒收**
到了老家网点会联系收件人，拒收后原路退回商家，再申请退款重新买。不过这样一来一回得一两个星期。

猫粮不着急的话，第 1 种最靠谱。""",
                "hours_after": 2,
                "votes": {"up": ["tangtang", "zhang_wei", "陈小红", "小李同学"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "tangtang",
                     "body": "物流详情最底下真有「修改收货地址」！交了 8 块钱改派费，现在已经显示改派成功了。感谢老王！",
                     "hours_after": 3},
                ],
            },
        ],
    },
    # --- 8. Refund not arrived after 7 days -------------------------------------------------------
    {
        "author": "陈小红",
        "title": "退款显示「退款成功」已经 7 天了，信用卡里还是没看到钱",
        "body": """上周二退了一件羽绒服，商家收到退货后同意退款，订单详情里显示「退款成功」，金额 459 元，退回原支付方式（信用卡）。

到今天已经 7 天了，信用卡 App 的已出账单里一直没看到这笔钱。打银行客服电话排了半天队也没打通。

想问一下：

1. 显示「退款成功」是不是说明平台已经把钱退了？
2. 是不是要等到下个月账单才能看到？
3. 还要等多久才算"没到账"，可以找客服查？""",
        "tags": ["退款", "退款没到账", "信用卡"],
        "category": "payments",
        "days_ago": 16,
        "votes": {"up": ["tangtang", "xiaoming"], "down": []},
        "comments": [],
        "answers": [
            {
                "author": "laowang",
                "body": """一条一条说：

1. 是的，「退款成功」说明平台这边已经把钱打给银行了，剩下的是银行入账的时间。
2. **信用卡退款最容易让人误会**：钱不会出现在"已出账单"里，而是作为一笔"退货/存入"记在**未出账单**里，直接抵扣你下一期的欠款。去信用卡 App 里看「未出账单」或者「最近交易」，搜一下 459，大概率已经在了。
3. 平台写的到账时间是 1–7 个**工作日**，中间隔了周末的话，7 个自然日可能才 5 个工作日，还没到期限。

如果未出账单里也确实没有，进「订单详情 → 退款详情」，里面有一个**退款凭证号**，拿着这个号问银行，银行那边就能查到这笔钱的去向。""",
                "hours_after": 3,
                "votes": {"up": ["陈小红", "小李同学", "emma_w"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "陈小红",
                     "body": "在未出账单里找到了！记成了一笔「退货」，459 一分不少。我一直在已出账单里找……谢谢！",
                     "hours_after": 2},
                ],
            },
            {
                "author": "support_lin",
                "body": """您好，补充一下官方说明：

- 「退款成功」表示平台已完成退款，款项已提交至银行；
- 银行入账时间：储蓄卡一般 1–3 个工作日，信用卡一般 1–7 个工作日，以银行实际处理为准；
- 信用卡退款会以一笔"退款/存入"的形式记入**未出账单**，不会修改已出账单中的原消费记录。

如超过 7 个工作日仍查询不到，您可以在「订单详情 → 退款详情」点击「退款未到账？」提交查询，我们会在 1–3 个工作日内联系银行核实并回复您。人工客服时间为周一至周五 09:00–18:00（北京时间），法定节假日休息。""",
                "hours_after": 8,
                "votes": {"up": ["陈小红", "laowang"], "down": []},
                "comments": [],
            },
        ],
    },
    # --- 9. Account locked after too many attempts (English) --------------------------------------
    {
        "author": "emma_w",
        "title": "Account locked after too many login attempts – how long do I have to wait?",
        "body": """I tried to log in on my new laptop this morning and got my password wrong a few times (I think I kept typing my old password from before I changed it). Now the login page says:

> Too many failed attempts. Your account has been temporarily locked for security reasons.

I waited about 40 minutes and tried again with what I was *sure* was the right password. Apparently it wasn't, because now it says the lock has been extended to **24 hours**.

I have a grocery delivery scheduled for tomorrow morning. Will it still arrive while the account is locked? And is there any way to unlock it faster? I don't want to make it worse by trying again.""",
        "tags": ["login", "account-locked", "password"],
        "category": "account",
        "days_ago": 14,
        "votes": {"up": ["david.k", "laowang"], "down": []},
        "comments": [
            {"author": "laowang",
             "body": "Stop trying for now, every failed attempt during the lock restarts the timer. Wait for the "
                     "official answer or use the unlock function.",
             "hours_after": 1},
        ],
        "answers": [
            {
                "author": "support_lin",
                "body": """Hi Emma, sorry for the trouble. This is how the lock works:

- **5 wrong passwords in a row** → the account is locked for 30 minutes.
- **Another wrong password after that lock ends** → the lock is extended to 24 hours.

The lock only blocks *signing in*. Orders you have already placed and paid for, including scheduled deliveries, are **not affected** and will arrive as planned.

To unlock without waiting:

1. Open the app and go to the login screen.
2. Tap **Having trouble? → Unlock account**.
3. Verify with the SMS code sent to the phone number bound to your account, then complete the face check.
4. After unlocking, you will be asked to set a new password.

If the phone number bound to the account is no longer yours, the self-service unlock won't work. In that case please contact our live agents via **Me → Help Center → Contact us**, Monday to Friday 09:00–18:00 Beijing time (closed on Chinese public holidays). We will never ask you for your password or for verification codes.""",
                "hours_after": 4,
                "votes": {"up": ["emma_w", "david.k", "laowang"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "emma_w",
                     "body": "Unlock via the face check worked, took about two minutes. New password saved in my "
                             "password manager this time. Thank you!",
                     "hours_after": 1},
                ],
            },
        ],
    },
    # --- 10. Card payment failed ------------------------------------------------------------------
    {
        "author": "zhang_wei",
        "title": "银行卡支付一直失败，提示「扣款失败，请更换支付方式」，卡里明明有钱",
        "body": """给供货商付一笔货款，8600 左右，用的储蓄卡。每次输完支付密码都提示：

`银行卡扣款失败，请更换支付方式（P2013）`

卡里余额肯定够，前几天用同一张卡付两三百的订单都正常。换了一张同一家银行的卡也是一样的提示。

到底是平台的问题还是银行的问题？今天下午之前必须付掉，供货商在催。""",
        "tags": ["支付失败", "银行卡", "限额"],
        "category": "payments",
        "days_ago": 11,
        "votes": {"up": ["tangtang"], "down": []},
        "comments": [],
        "answers": [
            {
                "author": "小李同学",
                "body": "可能是 App 的 bug 吧，我之前支付失败就是把 App 卸载重装了一下就好了，你也可以试试先清一下缓存。",
                "hours_after": 1,
                "votes": {"up": [], "down": ["laowang", "橘子君"]},
                "comments": [
                    {"author": "laowang",
                     "body": "P2013 是银行那边拒绝扣款，跟 App 缓存没关系，重装解决不了的。小额能付、大额付不了，基本是限额问题。",
                     "hours_after": 1},
                    {"author": "小李同学",
                     "body": "哦哦原来是这样，我那次可能是碰巧，学习了。",
                     "hours_after": 3},
                ],
            },
            {
                "author": "laowang",
                "body": """小额正常、大额失败，而且同一家银行的两张卡都不行，**九成是快捷支付限额**。银行对第三方平台的快捷支付单独设了额度，跟卡里有多少钱没关系，很多储蓄卡默认单笔 5000、单日 1 万，有的更低。

排查步骤：

1. 「我的 → 钱包 → 银行卡」，点进这张卡，看「查看限额」，会显示单笔和单日额度；
2. 如果是超了，打开这家银行的手机银行，把「快捷支付 / 第三方支付」的限额调高（一般在「安全中心」或「支付设置」里），调完基本马上生效；
3. 调不了的话，换一家银行的卡付，或者问问供货商能不能分两笔付；
4. 也可以先把钱充进平台钱包余额，再用余额付。不过余额充值本身也走快捷支付，一样受银行限额影响，可能要分两天充。

顺便列一下其他常见原因：卡过期了、银行预留手机号变了、被银行风控拦了（大额、夜间交易比较容易被拦）。如果限额是够的，就打卡背面的银行客服问一下是不是触发风控了。""",
                "hours_after": 2,
                "votes": {"up": ["zhang_wei", "橘子君", "xiaoming"], "down": []},
                "comments": [
                    {"author": "zhang_wei",
                     "body": "查了一下，单笔限额果然只有 5000，在手机银行里调到 2 万就付成功了。以前完全不知道还有这个东西，谢了老王。",
                     "hours_after": 1},
                ],
            },
        ],
    },
    # --- 11. Two-step verification codes do not arrive --------------------------------------------
    {
        "author": "小李同学",
        "title": "登录一直收不到短信验证码，点了十几次了，手机信号是满的",
        "body": """换了新手机登录，要短信验证码，但是怎么都收不到：

- 手机号没换过，话费也是充了的
- 别的 App 的验证码都能正常收到
- 点了好多次「重新获取」，现在直接提示**今日获取次数已达上限**

用的是双卡手机，这个号在卡 2。是不是我的号被平台拉黑了……晚上还想用券点外卖，急。""",
        "tags": ["验证码", "短信验证码", "登录"],
        "category": "account",
        "days_ago": 9,
        "votes": {"up": ["laowang"], "down": []},
        "comments": [
            {"author": "tangtang",
             "body": "是不是最近携号转网了？我转网之后收验证码也出过问题，过了差不多一周才正常。",
             "hours_after": 1},
            {"author": "小李同学",
             "body": "没有转网，一直是这个运营商。",
             "hours_after": 2},
        ],
        "answers": [
            {
                "author": "laowang",
                "body": """不是拉黑。收不到短信验证码基本就这几种情况，按顺序排查：

1. **看拦截记录**。很多手机自带的「手机管家 / 骚扰拦截」会把验证码短信当成营销短信拦掉。去短信 App 里找「骚扰拦截」或「垃圾信息」翻一翻，大部分人都是卡在这一步。
2. **双卡设置**。确认卡 2 的短信功能是开着的，有的手机设置了默认短信卡，另一张卡收短信要单独打开。
3. **每日次数上限**。同一个手机号每天能获取的验证码次数是有限的，到了上限只能等第二天 0 点以后。所以别一直狂点，每次等 60 秒倒计时走完再点。
4. **改用语音验证码**。获取短信的页面下面有一行小字「收不到验证码？试试语音验证码」，会打电话把验证码念给你，不受短信拦截影响。今天次数用完了估计语音也不行，明天先试这个。
5. **动态验证码**。如果你以前在「我的 → 设置 → 账号与安全」里开过「安全令牌」，登录时可以选「使用动态验证码」，输入令牌里的 6 位数，不需要短信。

以上都不行再找人工客服，工作日 9 点到 18 点。""",
                "hours_after": 2,
                "votes": {"up": ["小李同学", "tangtang", "陈小红"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "小李同学",
                     "body": "破案了，「骚扰拦截」里躺着 7 条验证码……今天早上把拦截关了，一次就收到了，谢谢老王！",
                     "hours_after": 16},
                ],
            },
            {
                "author": "陈小红",
                "body": "我之前也是这样，手机自带的信息 App 右上角有个「骚扰拦截」，点进去一看全在里面，你先翻翻看。",
                "hours_after": 5,
                "votes": {"up": ["小李同学"], "down": []},
                "comments": [],
            },
        ],
    },
    # --- 12. Complaint about an agent's attitude --------------------------------------------------
    {
        "author": "tangtang",
        "title": "在线客服态度很差，问了三遍就直接结束会话，这种怎么投诉？",
        "body": """外卖少送了一杯饮料，找在线人工客服申请补偿。客服上来就让我拍照，我说饮料根本就没送到，怎么拍？她就一直复制粘贴同一句「请您提供相关凭证以便为您处理」。

我问了三遍能不能查一下商家的出餐记录，她直接回了一句「如无其他问题，本次会话将结束」，然后就断了。再进线排队 40 多个人。

不是为了那几块钱，是真的很气。**请问客服的服务态度要怎么投诉？投诉有用吗？**""",
        "tags": ["投诉", "投诉客服", "服务态度"],
        "category": "complaints",
        "days_ago": 8,
        "votes": {"up": ["xiaoming", "小李同学", "陈小红"], "down": []},
        "comments": [
            {"author": "橘子君",
             "body": "提醒一下：投诉请直接走官方渠道，社区里请不要贴客服工号和带个人信息的聊天截图，谢谢配合～",
             "hours_after": 2},
        ],
        "answers": [
            {
                "author": "support_lin",
                "body": """您好，非常抱歉给您带来了不好的体验，问题没有解决就结束会话，确实是不应该的。投诉客服服务可以这样操作：

1. 打开「我的 → 客服中心 → 服务记录」；
2. 找到那次会话，点进去，右上角有「评价 / 投诉本次服务」；
3. 选择「服务态度」或「问题未解决」，写明经过。会话记录系统会自动附上，不需要另外截图；
4. 提交后，质检团队会在 **3 个工作日内**复核，并通过站内信回复您。

会话结束后 **7 天内**都可以发起投诉。投诉由质检团队独立复核，不会转给原来接待您的客服处理。

关于少送的饮料：可以在「订单详情 → 申请售后 → 商品缺失」里单独申请，缺失的商品不需要拍照，勾选没收到的那一项提交即可，审核通过后会退还对应金额。

如需人工协助，客服工作时间为周一至周五 09:00–18:00（北京时间），法定节假日休息。""",
                "hours_after": 6,
                "votes": {"up": ["tangtang", "laowang", "橘子君"], "down": []},
                "comments": [
                    {"author": "tangtang",
                     "body": "已经按步骤提交投诉了，商品缺失那个也申请了，几分钟就退了 12 块。等质检回复看看。",
                     "hours_after": 1},
                    {"author": "tangtang",
                     "body": "更新一下：质检今天回复了，说核实后已经对那位客服做了处理，还补了一张 10 元无门槛券。算是有个交代吧。",
                     "hours_after": 50},
                ],
            },
            {
                "author": "laowang",
                "body": "补充个经验：投诉的时候把**时间点**和会话里具体是哪几句写清楚，比单纯写「态度差」处理得快很多。"
                        "另外少送东西直接走「商品缺失」基本是秒批，比排队找人工快多了。",
                "hours_after": 7,
                "votes": {"up": ["tangtang", "xiaoming"], "down": []},
                "comments": [],
            },
        ],
    },
    # --- 13. Money deducted but order unpaid -----------------------------------------------------
    {
        "author": "xiaoming",
        "title": "钱已经扣了，订单却显示「待支付」然后自动取消了，钱还能回来吗？",
        "body": """中午点外卖，用银行卡付的，手机收到了银行的扣款短信（36.5 元），但 App 里订单一直显示「待支付」，过了十来分钟直接变成了「已取消」……

饭没点成，钱倒是扣了。我又重新下了一单，结果又扣了一次。

现在就是**付了两次钱，只吃到一份饭**。第一笔钱还能回来吗？需要找客服吗？""",
        "tags": ["扣款", "未支付", "重复扣款", "外卖"],
        "category": "payments",
        "days_ago": 6,
        "votes": {"up": ["laowang", "陈小红"], "down": []},
        "comments": [
            {"author": "laowang",
             "body": "别急，这种一般会自动退。先去「我的 → 钱包 → 账单」看看第一笔显示的是什么状态。",
             "hours_after": 1},
            {"author": "xiaoming",
             "body": "账单里第一笔显示「支付成功 · 退款处理中」，是说会退回来的意思吗？",
             "hours_after": 2},
        ],
        "answers": [
            {
                "author": "support_lin",
                "body": """您好，这种情况是**银行已扣款成功，但支付结果没有及时返回给平台**造成的。订单超时自动取消后，系统会自动把这笔钱原路退回，**不会重复扣款，您不需要做任何操作**。

您在账单里看到的「退款处理中」，就是系统已经自动发起了退款。到账时间：

- 钱包余额：实时到账；
- 储蓄卡：一般 1–3 个工作日；
- 信用卡：一般 1–7 个工作日，可能显示为一笔单独的「退货/冲正」，而不是原来那笔消失。

如果超过 7 个工作日仍未到账，请通过「我的 → 客服中心 → 在线客服」联系人工客服（周一至周五 09:00–18:00，北京时间，法定节假日休息），提供账单里这笔交易的**交易单号**（`PAY` 开头的那串）即可，我们会帮您向银行查询。

温馨提示：请不要在社区或聊天中发送完整的银行卡号、支付密码或验证码，客服查询也完全不需要这些信息。""",
                "hours_after": 5,
                "votes": {"up": ["xiaoming", "laowang", "陈小红", "tangtang", "zhang_wei"], "down": []},
                "accepted": True,
                "comments": [
                    {"author": "xiaoming",
                     "body": "第二天下午就退回卡里了，谢谢小林！",
                     "hours_after": 26},
                ],
            },
        ],
    },
    # --- 14. Scam warning --------------------------------------------------------------------------
    {
        "author": "陈小红",
        "title": "【提醒】有人冒充平台客服打电话，说要帮忙关闭「会员自动扣费」，让报验证码",
        "body": """今天下午我妈接到一个电话，对方一开口就能叫出她的名字，还说得出她上个月在平台上买了什么，说她开通了平台的「百万保障会员」，每个月自动扣 800，今天不关的话就开始扣。

然后说要"帮她关闭"，让她把手机收到的验证码念给对方，还让她下载一个会议软件，说要"共享屏幕指导操作"。

幸好我妈多了个心眼，先给我打了电话，我让她直接挂了。

想问一下：

1. 平台真的有这种会员吗？
2. 对方怎么知道我妈买了什么？是不是信息泄露了？
3. 万一已经把验证码报出去了，该怎么办？

发出来给大家提个醒，**家里有老人的一定多留意**。""",
        "tags": ["防骗", "冒充客服", "验证码", "诈骗"],
        "category": "other",
        "days_ago": 4,
        "votes": {"up": ["laowang", "xiaoming", "tangtang", "橘子君", "support_lin", "emma_w"], "down": []},
        "comments": [
            {"author": "橘子君",
             "body": "这个帖子很有价值。大家遇到类似话术欢迎在下面补充，但请不要贴出完整的来电号码和自己的个人信息。",
             "hours_after": 1},
            {"author": "xiaoming",
             "body": "我上个月也接到过，说我账号「涉嫌违规要被注销」，要我配合验证，套路一模一样，直接挂了。",
             "hours_after": 6},
        ],
        "answers": [
            {
                "author": "support_lin",
                "body": """感谢您的提醒，也庆幸阿姨及时挂断了电话。**这是典型的冒充客服诈骗**，请大家注意，平台官方人员**绝不会**：

- 以任何理由索要您的**短信验证码、动态验证码、登录密码或支付密码**；
- 要求您下载会议软件、开启「屏幕共享」或远程控制手机；
- 要求您把钱转到所谓的「安全账户」，或者通过借款、贷款来「消除记录」；
- 以「关闭会员」「取消扣费」「影响征信」等理由主动来电，要求您按步骤操作。

平台没有「百万保障会员」这类需要通过电话关闭的服务。您已开通的会员和自动续费，都可以在「我的 → 设置 → 支付设置 → 自动扣费」里自行查看和关闭，不需要任何人协助。

**如果已经泄露了验证码，请立即：**

1. 登录 App，在「我的 → 设置 → 账号与安全」修改登录密码和支付密码；
2. 如无法登录或发现异常交易，使用「账号与安全 → 紧急冻结」冻结账号（全天可用）；
3. 联系银行冻结账号绑定的银行卡；
4. 尽快报警，并保留通话记录、短信等证据。

关于对方为何知道购买信息，诈骗分子获取信息的渠道有很多，我们已将此情况转交安全团队核查。如需核实来电是否为官方号码，可以在「我的 → 客服中心 → 官方号码查询」里输入来电号码查询。人工客服工作时间为周一至周五 09:00–18:00（北京时间），法定节假日休息。""",
                "hours_after": 3,
                "votes": {"up": ["陈小红", "laowang", "xiaoming", "橘子君", "tangtang", "zhang_wei"], "down": []},
                "comments": [
                    {"author": "陈小红",
                     "body": "谢谢小林，已经教我妈用「官方号码查询」查了，那个号码查不到，果然是假的。",
                     "hours_after": 2},
                ],
            },
            {
                "author": "laowang",
                "body": """补充两个实用的：

1. 给家里老人的手机开一下「我的 → 设置 → 账号与安全 → 大额支付保护」（我这个版本叫这个名字），开了之后转账、大额付款都要刷脸，就算验证码泄露了也多一道关。
2. 跟老人不用讲太复杂，就记一句话：**凡是让你报验证码、让你共享屏幕的，一律挂掉**，然后打电话问子女。""",
                "hours_after": 5,
                "votes": {"up": ["陈小红", "xiaoming", "emma_w"], "down": []},
                "comments": [],
            },
        ],
    },
    # --- 15. Unanswered: food spilled, who is responsible ----------------------------------------
    {
        "author": "xiaoming",
        "title": "外卖送到的时候汤全洒了，骑手说不关他的事，该找商家还是找平台？",
        "body": """今天中午点的麻辣烫，送到的时候袋子底下全是汤，打开一看洒了一大半，菜全泡在袋子里，根本没法吃。骑手放下就走了，我追出去问，他说「商家就是这么打包的，不关我事」。

照片我都拍了。现在有点纠结：

- 申请售后选「餐品洒漏」的话，是商家处理还是平台处理？
- 商家会不会说是配送的问题，直接拒绝？
- 要不要顺便投诉一下骑手的态度？

第一次遇到这种事，不知道怎么弄比较好。""",
        "tags": ["外卖", "餐品洒漏", "售后", "骑手"],
        "category": "complaints",
        "days_ago": 2,
        "votes": {"up": ["陈小红", "tangtang"], "down": []},
        "comments": [
            {"author": "tangtang",
             "body": "蹲一个，我之前也遇到过一次，商家和骑手互相推，最后好像是平台判的责。",
             "hours_after": 2},
        ],
        "edits": [
            {
                "by": "xiaoming",
                "hours_after": 5,
                "summary": "更新：商家拒绝了售后申请",
                "body": """今天中午点的麻辣烫，送到的时候袋子底下全是汤，打开一看洒了一大半，菜全泡在袋子里，根本没法吃。骑手放下就走了，我追出去问，他说「商家就是这么打包的，不关我事」。

照片我都拍了。现在有点纠结：

- 申请售后选「餐品洒漏」的话，是商家处理还是平台处理？
- 商家会不会说是配送的问题，直接拒绝？
- 要不要顺便投诉一下骑手的态度？

第一次遇到这种事，不知道怎么弄比较好。

**更新：** 下午按「餐品洒漏」提交了售后，刚才商家拒绝了，理由是「出餐时包装完好，洒漏系配送原因」。现在订单页上多了一个「申请平台介入」的按钮，不知道该不该点，点了之后还能撤回吗？""",
            },
        ],
        "answers": [],
    },
    # --- 16. Unanswered: coupon not returned after cancelling ------------------------------------
    {
        "author": "小李同学",
        "title": "订单取消了，下单时用的满减券没退回来，是不是就作废了？",
        "body": """昨晚用一张「满 99 减 20」的券下单，后来发现颜色选错了，趁商家还没发货就取消了订单。钱已经退回来了，但是「我的 → 优惠券」里那张券不见了，「已使用」和「已过期」里也都找不到。

券的有效期到月底，还没过期。是要等一段时间才会退回，还是取消订单之后券就直接作废了？""",
        "tags": ["优惠券", "取消订单"],
        "category": "orders",
        "days_ago": 1,
        "votes": {"up": ["xiaoming"], "down": []},
        "comments": [
            {"author": "xiaoming",
             "body": "同问，我上次好像也没退回来，当时懒得找客服就算了。",
             "hours_after": 3},
        ],
        "answers": [],
    },
    # --- 17. Unanswered: package marked delivered but missing (English) ---------------------------
    {
        "author": "david.k",
        "title": "Order shows “Delivered” but I never got the package – who do I report this to?",
        "body": """My order (a pair of headphones, ¥349) has shown **Delivered** since yesterday evening, with a note that it was left at a parcel locker. But I never got a pickup code, and when I checked the lockers in my building it wasn't there.

- Tracking page: *Signed for, delivered to locker*
- No SMS with a pickup code
- The courier's phone goes straight to voicemail

Should I report this to the seller, the courier or the platform? And is there a time limit for reporting it? I don't want to miss a deadline while I wait for the courier to call back.""",
        "tags": ["delivery", "missing-package", "after-sales"],
        "category": "complaints",
        "days_ago": 1,
        "votes": {"up": ["emma_w"], "down": []},
        "comments": [],
        "answers": [],
    },
    # --- 18. Unanswered: closing an account ------------------------------------------------------
    {
        "author": "tangtang",
        "title": "注销账号之前要注意什么？余额和没处理完的退货会怎么样？",
        "body": """打算把以前的一个小号注销掉（后来一直用大号了），进「我的 → 设置 → 账号与安全 → 注销账号」看了一下，要求挺多的，有几条不太明白：

1. 小号里还有 12 块多余额，提现要先绑卡，注销的话余额是直接清零吗？
2. 有一个退货还在处理中，是必须等它完成才能注销吗？
3. 注销以后，这个手机号多久能重新注册或者绑到别的账号上？

有注销过的朋友说说经验吗？""",
        "tags": ["注销账号", "余额"],
        "category": "account",
        "days_ago": 0,
        "votes": {"up": [], "down": []},
        "comments": [],
        "answers": [],
    },
]


# Staff verifications of demo answers: (question title prefix, answer author, staff, note).
# "edit_after" edits the answer after it was verified, so the demo shows an answer that is
# "edited since verification" and waiting in the staff queue.
VERIFICATIONS = [
    {"question": "What are the official customer service h", "answer_author": "support_lin", "by": "support_lin",
     "note": "Official hours and channels as of 2026-11."},
    {"question": "两年前买的电饭煲要保修", "answer_author": "laowang", "by": "support_lin",
     "note": "已核对：历史订单可在「全部订单 → 筛选 → 更早订单」中查询（2026-11）。"},
    {"question": "退款显示「退款成功」已经 7 天了", "answer_author": "laowang", "by": "support_lin",
     "note": "已对照 2026-11 退款规则核实：信用卡退款 1–7 个工作日，以银行入账为准。"},
    {"question": "钱已经扣了，订单却显示「待支付」", "answer_author": "support_lin", "by": "support_lin", "note": ""},
    {"question": "【提醒】有人冒充平台客服打电话", "answer_author": "laowang", "by": "support_lin",
     "note": "官方客服不会索要验证码或密码。"},
    {"question": "忘记密码点了「重置密码」", "answer_author": "laowang", "by": "support_lin",
     "note": "已核实重置链接 30 分钟内有效。",
     "edit_after": {"body_append": "\n\n补充：如果换了浏览器打开链接也会提示失效，请在同一个浏览器里操作。",
                    "summary": "补充浏览器的情况"}},
]


# An escalation in progress, so the desk and "My tickets" are not empty in the demo.
TICKETS = [
    {"question": "外卖送到的时候汤全洒了", "category": "complaints",
     "description": "外卖送到时汤全洒了，骑手不认，商家让我找平台。希望平台介入处理，申请部分退款。",
     "order_number": "TP2026112000321", "contact_channel": "site", "contact": "",
     "messages": [
         {"by": "support_lin", "internal": True, "body": "已联系商家，等待商家提供出餐照片。"},
         {"by": "support_lin", "internal": False,
          "body": "您好，已收到您的反馈，我们正在联系商家核实出餐和配送情况，预计 1 个工作日内给您答复。"},
     ]},
]

# What the moderators find in /review: a scam answer held by the scam guard, and a flagged comment.
MODERATION = {
    "held_answers": [
        {"question": "原来的手机号已经停用了", "author": "tangtang",
         "body": "我是平台客服专员，加我微信 kefu_8866，把收到的验证码发给我，五分钟帮你换绑。"},
    ],
    "flags": [
        {"question": "Can I change the size of an item", "by": ["xiaoming", "陈小红"], "kind": "off_topic",
         "note": "This answer is an advert for another shop."},
    ],
}
