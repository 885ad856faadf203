"""A judged relevance set for forum search: support threads, the queries people type, and which
threads a support agent would want to see in the first five results.

The threads are written the way members of a payments / e-commerce support forum write them:
mostly Simplified Chinese, some English, some Traditional Chinese (Taiwan, Hong Kong), some mixed
("App 闪退", "PayPal 付款失败"). Topics overlap on purpose (several refund threads, several failed
payment threads that differ in detail) so that ranking, not just matching, decides the figures.
Answers often hold the words the question lacks (原路退回, 恢复码, time sync).

How the judgments were made, by meaning and without looking at what the search engine returns:

- `relevant` lists the threads that answer the searcher's problem and that an agent would want
  in the top five; usually one to three. A thread that merely shares words is not relevant.
- An English query whose problem has an English thread is judged against the English threads; a
  thread in the other language is listed only when it is the one that answers the query (the
  cross-language queries, which rely on the bilingual groups in forum/search/synonyms.py).
- Simplified and Traditional Chinese are the same language here: a Traditional query may be
  answered by a Simplified thread and the reverse.
- No typos: spelling correction is a separate feature.

The module imports nothing from pytest or the application, so a benchmark script can use
`seed()` and `evaluate()` with any application context and any search function.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

K = 5

POSTS: list[dict[str, Any]] = [
    # --- accounts: login, passwords, two-step verification, phone, e-mail ----------------------
    {
        "key": "pwd-reset-sms",
        "title": "忘记登录密码，找回时收不到短信验证码",
        "body": "换了新手机以后忘了登录密码，点“忘记密码”输入手机号，验证码一直收不到，点了好几次重新发送都没有。"
                "手机号是本人的，信号也正常，这种情况还能怎么找回？",
        "tags": ["账号", "密码", "验证码"],
        "category": "account",
        "answers": [
            ("先看看短信是不是被手机的骚扰拦截功能拦了，很多安卓手机会把验证码短信放到拦截记录里。"
             "另外同一个手机号一天最多发送 10 次，超过以后要第二天才能再发。"),
            "如果账号绑定了邮箱，可以在找回页面选择“通过邮箱重置”，重置链接会发到邮箱里，24 小时内有效。",
        ],
    },
    {
        "key": "login-locked-tw",
        "title": "帳號被鎖定了，一直顯示無法登入",
        "body": "剛剛登入的時候密碼打錯了幾次，現在一直顯示「帳號已被鎖定，請稍後再試」。我在台灣，客服電話打不通，"
                "請問要等多久才會解除？會不會影響我還沒出貨的訂單？",
        "tags": ["帳號", "登入"],
        "category": "account",
        "answers": [
            ("连续输错密码 5 次会临时锁定 30 分钟，时间到了会自动解锁，不影响订单。解锁后如果还是想不起密码，"
             "建议直接用“忘记密码”重置，不要反复尝试。"),
        ],
    },
    {
        "key": "locked-wrong-password",
        "title": "账号被锁定了，输错密码太多次怎么解锁？",
        "body": "早上登录的时候试了好几个密码都不对，现在提示账号已锁定，过一会儿再试还是不行。"
                "里面还有没用完的余额，怎么才能尽快解锁？",
        "tags": ["账号", "密码", "登录"],
        "category": "account",
        "answers": [
            ("输错 5 次会锁定 30 分钟，到时间自动解除。着急的话在登录页点“忘记密码”，用短信验证码重置密码后"
             "会立即解锁。"),
        ],
    },
    {
        "key": "2fa-lost-phone",
        "title": "换了手机，两步验证的动态码没法用了",
        "body": "之前开启了两步验证，用的是手机上的身份验证器 App。现在旧手机坏了，新手机上没有原来的验证器，"
                "登录时要输入 6 位动态码，根本拿不到，账号完全进不去。",
        "tags": ["两步验证", "账号", "登录"],
        "category": "account",
        "answers": [
            ("开启两步验证时页面上会给 10 个备用恢复码（一般建议截图或者打印保存），在输入动态码的页面点“使用恢复码”，"
             "输入其中任意一个就能登录，登录后到安全设置里重新绑定新手机上的验证器。"),
            ("恢复码也找不到的话，只能走人工申诉：在登录页点“无法接收动态码”，上传身份证正反面和手持照片，"
             "审核通过后会关闭两步验证，一般 1–3 个工作日。"),
        ],
    },
    {
        "key": "en-cannot-login",
        "title": "Cannot log in after changing my email address",
        "body": "Last week I changed the email on my account. Now when I try to sign in with the new email and my "
                "usual password it says 'user not found'. The old email doesn't work either. I'm completely "
                "shut out of my own account.",
        "tags": ["login", "account", "email"],
        "category": "account",
        "answers": [
            ("After an email change the new address only becomes your login once you click the confirmation "
             "link sent to it. Until then the old address is still the login. Check the new mailbox (and spam) "
             "for the confirmation mail; if it expired, sign in with the old email and request the "
             "confirmation again from Settings > Security."),
        ],
    },
    {
        "key": "en-2fa-code-invalid",
        "title": "Authenticator codes always rejected, can't sign in",
        "body": "I have two-factor authentication turned on with Google Authenticator. Every 6-digit code I type "
                "is rejected as 'invalid code', even when I enter it right after it refreshes. The password is "
                "accepted, it's only the second step that fails.",
        "tags": ["2fa", "login", "account"],
        "category": "account",
        "answers": [
            ("This is almost always the phone's clock. The codes are time based, so if the phone time is off by "
             "a minute or more they will all be rejected. Turn on automatic date & time on the phone (in Google "
             "Authenticator on Android there is also Settings > Time correction for codes > Sync now) and try "
             "again."),
        ],
    },
    {
        "key": "change-phone-number",
        "title": "原来的手机号停用了，怎么换绑新手机号",
        "body": "注册时用的手机号已经注销了，现在想把账号绑定的手机号换成新号码，可是修改的时候要给旧手机号发验证码，"
                "收不到，卡在这一步了。",
        "tags": ["手机号", "账号"],
        "category": "account",
        "answers": [
            ("旧号码收不到验证码的话，在“安全中心 - 更换手机号”页面选“旧手机号已停用”，通过人脸识别验证身份后"
             "就可以直接绑定新手机号，不需要旧号码的验证码。"),
        ],
    },
    {
        "key": "account-hacked",
        "title": "账号被盗了，有陌生设备登录还下了订单",
        "body": "今天早上收到短信说我的账号在另一台设备上登录，然后订单里多了两笔我没买过的东西，收货地址也被改成了外地，"
                "钱是从绑定的银行卡扣的。现在该怎么办？",
        "tags": ["账号", "安全", "订单"],
        "category": "account",
        "answers": [
            ("第一时间修改登录密码和支付密码，然后在“安全中心 - 登录设备管理”里把不认识的设备全部下线。"
             "还没发货的订单马上取消；已经扣款的部分联系客服提交“账户被盗”工单，核实后会冻结相关订单并退款。"),
            "建议顺便开启两步验证，并检查绑定的邮箱和手机号有没有被改。",
        ],
    },
    {
        "key": "delete-account",
        "title": "如何注销账号？找不到注销入口",
        "body": "不打算再用了，想把账号彻底注销，个人信息也删掉。在设置里翻了一圈没看到注销的按钮，请问在哪里操作？",
        "tags": ["账号", "注销"],
        "category": "account",
        "answers": [
            ("入口在“设置 - 账号与安全 - 注销账号”。注销前需要满足：没有未完成的订单、没有进行中的退款或售后、"
             "余额已经提现完。提交后有 15 天冷静期，期间登录会自动撤销注销。"),
        ],
    },
    {
        "key": "en-password-reset-email",
        "title": "Password reset email never arrives",
        "body": "I clicked 'Forgot password' and entered my email three times over the last hour, but no reset "
                "email ever arrives. Not in spam either. I use an Outlook address.",
        "tags": ["password", "email", "account"],
        "category": "account",
        "answers": [
            ("Outlook and Hotmail sometimes hold our mails for a while; add our noreply sender to your safe "
             "senders and check the 'Other' tab as well as Junk. Only the newest reset link works, so use the "
             "last one you receive. If nothing arrives within an hour, you can reset with the SMS code sent to "
             "your phone number instead."),
        ],
    },
    {
        "key": "wechat-login-new-account",
        "title": "用微信登录后变成了一个新账号，原来的订单都不见了",
        "body": "以前一直是用手机号加密码登录的，今天图方便点了微信登录，结果进去是一个全新的账号，订单、积分、"
                "优惠券全都没有了。原来的账号是不是丢了？",
        "tags": ["微信", "账号", "登录"],
        "category": "account",
        "answers": [
            ("原来的账号没有丢。微信登录时如果这个微信没有绑定过账号，系统会自动创建一个新账号。退出后改用手机号"
             "登录原账号，再到“账号与安全 - 第三方账号绑定”里绑定微信，以后用微信登录就会进原来的账号了。"
             "新建的空账号可以申请注销。"),
        ],
    },
    {
        "key": "en-account-suspended",
        "title": "My account was suspended without any explanation",
        "body": "I got an email saying my account has been suspended due to 'unusual activity'. I have pending "
                "orders and about 300 USD of balance in the wallet. Nobody told me what I did wrong. How do I "
                "appeal?",
        "tags": ["account", "suspended", "appeal"],
        "category": "account",
        "answers": [
            ("Suspensions for unusual activity are usually triggered by risk control, e.g. logins from many "
             "countries or many failed payments in a short time. You can appeal from the link in that email or "
             "from Help > Account appeal; attach an ID document and explain the recent activity. Pending orders "
             "stay on hold, and the balance is not lost."),
        ],
    },
    {
        "key": "real-name-verification",
        "title": "实名认证一直审核不通过，提示信息不一致",
        "body": "上传了身份证正反面，名字和身份证号都是对的，但是实名认证提交了三次都被驳回，"
                "提示“证件信息与本人信息不一致”。没有实名认证没法提现，很着急。",
        "tags": ["实名认证", "账号"],
        "category": "account",
        "answers": [
            ("“信息不一致”一般是人脸识别那一步和身份证照片比对没通过，或者身份证已过期换了新证。请确认用的是最新的证件，"
             "拍照时不要反光、四角完整；人脸识别在光线充足的地方做。三次失败后要等 24 小时才能再提交。"),
        ],
    },
    {
        "key": "account-frozen-risk",
        "title": "账号被风控冻结了，提示存在异常交易",
        "body": "早上打开 App 提示“您的账户存在异常交易，已被临时冻结”，现在不能下单也不能付款。"
                "我最近只是给家里人买了几次东西，不知道哪里异常了。",
        "tags": ["账号", "冻结", "风控"],
        "category": "account",
        "answers": [
            ("风控冻结一般是短时间内多次更换收货地址、多个账号使用同一张银行卡等触发的。可以在“安全中心 - 账户解冻”"
             "提交申请，按提示完成身份验证和人脸识别，通常 24 小时内会解除限制。"),
        ],
    },
    {
        "key": "email-change",
        "title": "怎么更换账号绑定的邮箱？",
        "body": "以前绑定的是公司邮箱，现在离职了，公司邮箱已经登不进去。想改成自己的 QQ 邮箱，需要什么步骤？",
        "tags": ["邮箱", "账号"],
        "category": "account",
        "answers": [
            ("在“设置 - 账号与安全 - 邮箱”里点“更换”，先用手机号验证码验证身份（旧邮箱用不了也没关系），"
             "然后输入新邮箱，点击新邮箱里收到的确认链接后就生效了。"),
        ],
    },
    {
        "key": "en-sms-code-login",
        "title": "Not receiving the SMS verification code when logging in",
        "body": "I'm abroad right now (in Germany) with my Chinese phone number on roaming. Every time I try to "
                "log in it asks for an SMS code and it never comes. Is there another way to sign in?",
        "tags": ["login", "sms", "account"],
        "category": "account",
        "answers": [
            ("SMS from short codes is often not delivered while roaming. On the login page choose 'Other ways to "
             "verify' and pick email verification, or use the app on a device you've logged into before, which "
             "can approve the login with a push notification."),
        ],
    },
    {
        "key": "tw-logout-after-pwd-change",
        "title": "改了密碼之後 App 一直自動登出",
        "body": "上週更改了密碼，之後手機 App 每隔一陣子就自動登出，要重新輸入密碼，很麻煩。電腦版就沒有這個問題。"
                "請問是什麼原因？",
        "tags": ["密碼", "app", "登入"],
        "category": "account",
        "answers": [
            ("改密码后旧的登录凭证会全部失效，如果手机开启了“钥匙串/自动填充”，保存的还是旧密码，就会反复掉线。"
             "请在手机的密码管理里更新保存的密码，或者把 App 删除重装后重新登录一次。"),
        ],
    },
    # --- orders: addresses, cancelling, delivery, returns ----------------------------------------
    {
        "key": "change-address-after-order",
        "title": "下单后怎么修改收货地址？",
        "body": "刚下完单才发现收货地址还是以前租的房子，已经搬家了。订单还没发货，在订单页面没找到改地址的地方，请问怎么改？",
        "tags": ["订单", "收货地址"],
        "category": "orders",
        "answers": [
            ("订单在“待发货”状态时，进入“我的订单 - 订单详情”，点右上角的“修改地址”就可以改，每个订单可以修改一次。"
             "如果按钮是灰的，说明商家已经在打包了，可以联系商家帮忙改。"),
        ],
    },
    {
        "key": "address-after-shipped",
        "title": "已经发货了，地址填错了怎么办",
        "body": "地址里的门牌号写错了，写成了 18 号，实际是 16 号，订单已经显示发货了。快递还能改地址吗？怕送到别人家去。",
        "tags": ["物流", "收货地址"],
        "category": "orders",
        "answers": [
            ("已经发货的订单平台上改不了地址了，可以在物流详情里找到快递单号，直接联系快递公司申请“改派”，"
             "大部分快递在派送前都可以改；也可以在快递到站时打电话给派件员说明正确地址。"),
        ],
    },
    {
        "key": "cancel-order-button-grey",
        "title": "订单取消按钮是灰色的，点不了",
        "body": "下单半小时后想取消订单，买错了颜色，结果“取消订单”的按钮是灰色的，点了没有反应。钱已经付了，这种情况怎么办？",
        "tags": ["订单", "取消订单"],
        "category": "orders",
        "answers": [
            ("商家接单（开始备货）以后就不能直接取消了，按钮会变成灰色。这时可以点“申请退款”，选“不想要了/拍错了”，"
             "商家同意或者 48 小时未处理会自动退款。"),
            "如果已经发货，可以拒收或者收到后申请退货退款。",
        ],
    },
    {
        "key": "en-cancel-order",
        "title": "How do I cancel an order that hasn't shipped yet?",
        "body": "I placed an order this morning and realised I ordered the wrong size. Status is still 'awaiting "
                "shipment'. I can't find a cancel option in the app, only 'contact seller'.",
        "tags": ["order", "cancel"],
        "category": "orders",
        "answers": [
            ("Open the order, tap 'More' (the three dots) and choose 'Request cancellation'. Before the seller "
             "ships, a cancellation is approved automatically within 24 hours and the payment is refunded to "
             "the original method."),
        ],
    },
    {
        "key": "logistics-stuck",
        "title": "物流信息三天没更新了",
        "body": "订单发货后物流一直停在“已到达广州转运中心”，已经三天没有任何更新了。商家说让我再等等，我想问一下是不是丢件了？",
        "tags": ["物流", "快递"],
        "category": "orders",
        "answers": [
            ("转运中心停留 2–3 天在大促期间比较常见。超过 72 小时无更新可以在订单里点“物流异常 - 催促”，"
             "平台会联系快递核实；超过 7 天仍无更新可以申请“物流停滞”退款，不需要等商家同意。"),
        ],
    },
    {
        "key": "package-signed-not-received",
        "title": "显示已签收，但我根本没收到包裹",
        "body": "物流显示昨天下午已经签收，签收人写的是“本人”，可是我一整天都在家，没人送货，快递柜和门卫都问过了，都没有。",
        "tags": ["物流", "签收"],
        "category": "orders",
        "answers": [
            ("先联系派件的快递员（物流详情里有电话），问清楚放在哪里了，有时是放在驿站或者其他快递柜。"
             "如果确认没有送到，在订单里申请“未收到货”售后，上传和快递员的沟通记录，平台核实后会补发或退款。"),
        ],
    },
    {
        "key": "en-wrong-item",
        "title": "Received the wrong item, how do I return it?",
        "body": "I ordered a black phone case for iPhone 15 and got a pink one for a Samsung. The seller isn't "
                "replying. Do I have to pay for the return shipping?",
        "tags": ["return", "order", "seller"],
        "category": "orders",
        "answers": [
            ("Open a return request on the order with the reason 'Item not as described / wrong item' and add a "
             "photo of what you received. For wrong items the seller pays the return shipping: you'll get a "
             "prepaid label, or the return shipping cost is refunded together with the item."),
        ],
    },
    {
        "key": "return-exchange-size",
        "title": "衣服尺码不合适，可以换货吗",
        "body": "买了一件外套，M 码穿着太小了，想换成 L 码，吊牌还在没洗过。是要先退货再重新买，还是可以直接换？",
        "tags": ["换货", "售后"],
        "category": "orders",
        "answers": [
            ("支持“七天无理由”的商品可以在订单里申请“换货”，选择新的尺码，寄回后商家会发新的一件，不用重新付款。"
             "如果商家没有开通换货，只能先申请退货退款再重新下单。"),
        ],
    },
    {
        "key": "order-disappeared",
        "title": "我的订单在订单列表里找不到了",
        "body": "上周买的一个吹风机，今天想看一下物流，发现“我的订单”里完全找不到这个订单了，全部订单里也没有，"
                "但是银行卡确实扣了钱。",
        "tags": ["订单"],
        "category": "orders",
        "answers": [
            ("先看看是不是不小心删除了订单：在“我的订单”右上角的“…”里有“订单回收站”，删除的订单可以在那里恢复。"
             "另外确认一下是不是用另一个账号（比如微信登录的账号）下的单。"),
        ],
    },
    {
        "key": "en-tracking-number",
        "title": "Tracking number shows 'not found' on the courier website",
        "body": "My order was marked as shipped two days ago and I got a tracking number, but the courier's "
                "website says 'tracking number not found'. Is this a fake tracking number?",
        "tags": ["tracking", "delivery", "order"],
        "category": "orders",
        "answers": [
            ("Couriers usually only show a parcel once it has been scanned at their first depot, which can take "
             "24–48 hours after the seller prints the label. If there is still nothing after 3 days, report it "
             "from the order page with 'Problem with delivery' and the seller must give a valid tracking number "
             "or refund you."),
        ],
    },
    {
        "key": "hk-delivery-time",
        "title": "寄到香港要幾天？運費怎麼計算？",
        "body": "我住在香港，想買幾件衣服，結帳時運費顯示要 45 元，比商品還貴。請問寄到香港一般要幾天，"
                "運費是按重量算還是按件數算？有沒有集運可以用？",
        "tags": ["香港", "運費", "物流"],
        "category": "orders",
        "answers": [],
    },
    {
        "key": "merge-orders",
        "title": "同一个店铺下了两个订单，能合并发货吗",
        "body": "在同一家店先后下了两单，运费付了两次。能不能让商家合并成一个包裹发，把多的运费退给我？",
        "tags": ["订单", "运费"],
        "category": "orders",
        "answers": [
            ("平台本身没有合并订单的功能，需要联系商家。商家同意合并发货的话，可以在其中一个订单上申请“仅退款”退运费。"
             "以后在同一家店买多件，放进购物车一起结算就只付一次运费。"),
        ],
    },
    {
        "key": "en-default-address",
        "title": "How do I set a default shipping address?",
        "body": "Every time I check out, the order uses my old office address and I have to change it manually. "
                "I want my home address to be used by default.",
        "tags": ["address", "checkout"],
        "category": "orders",
        "answers": [
            ("Go to Me > Settings > Addresses, open your home address and switch on 'Set as default'. New orders "
             "will use it automatically; orders already placed keep the address they were placed with."),
        ],
    },
    {
        "key": "en-order-stuck-processing",
        "title": "Order stuck in 'processing' for 5 days",
        "body": "I paid for an order 5 days ago and it still says 'processing'. The seller hasn't shipped and "
                "doesn't answer messages. Should I wait or cancel?",
        "tags": ["order", "delivery", "seller"],
        "category": "orders",
        "answers": [
            ("Sellers have to ship within the handling time shown on the product page (usually 48–72 hours). If "
             "they miss it you can cancel without their approval: open the order and choose 'Cancel - seller "
             "didn't ship'. The refund goes back to your original payment method."),
        ],
    },
    # --- payments: failures, double charges, cards, wallets ------------------------------------
    {
        "key": "card-payment-failed",
        "title": "银行卡支付失败，提示“交易被拒绝”",
        "body": "用工商银行的借记卡付款，输完密码后提示“交易被拒绝，请联系发卡行”，卡里余额是够的，换了两次还是这样。",
        "tags": ["支付", "银行卡"],
        "category": "payments",
        "answers": [
            ("“交易被拒绝”是银行那边拒的，常见原因：这张卡没有开通网上支付（快捷支付），或者超过了银行设置的"
             "单日网上支付限额。可以打银行客服或者在手机银行里开通/调高网上支付限额后再试。"),
        ],
    },
    {
        "key": "wechat-pay-failed",
        "title": "微信支付一直失败，提示支付异常",
        "body": "结算时选择微信支付，跳转到微信后输完密码就显示“支付异常，请稍后再试”，试了一下午都不行。"
                "别的平台用微信付款是正常的。",
        "tags": ["微信支付", "支付"],
        "category": "payments",
        "answers": [
            ("先确认微信和 App 都是最新版本；如果微信里绑定的是信用卡，有的商品类目不支持信用卡付款，"
             "换成零钱或者借记卡试试。还不行的话把 App 的缓存清一下重新登录。"),
        ],
    },
    {
        "key": "alipay-risk",
        "title": "支付宝付款提示“该交易存在风险”，付不了",
        "body": "用支付宝付款的时候弹出“该交易存在风险，已被拦截”，金额只有 200 多块，以前一直这么付的。是我的支付宝有问题吗？",
        "tags": ["支付宝", "支付"],
        "category": "payments",
        "answers": [
            ("这个提示是支付宝的风控拦截的，不是平台的问题。可以在支付宝里搜“安全中心”查看拦截原因并申请解除，"
             "一般做一次人脸验证就好了；着急的话先换银行卡或微信支付。"),
        ],
    },
    {
        "key": "paypal-failed-mixed",
        "title": "PayPal 付款失败，提示 instrument declined",
        "body": "在海外用 PayPal 付款，每次都提示 “The instrument presented has been declined”，"
                "PayPal 里绑的是一张 Visa 卡，余额也够。",
        "tags": ["paypal", "支付"],
        "category": "payments",
        "answers": [
            ("这个错误表示 PayPal 拒绝了你绑定的那张卡（instrument 就是付款工具的意思），和平台无关。"
             "在 PayPal 里把默认付款方式换成余额或另一张卡，或者登录 PayPal 确认那张卡没有过期、没有被要求验证。"),
        ],
    },
    {
        "key": "double-charge",
        "title": "付了一次款，银行卡却扣了两次钱",
        "body": "昨晚下单付款时网络卡了一下，我只点了一次付款，结果银行短信提示扣了两笔 399 元，订单只有一个。多扣的钱怎么办？",
        "tags": ["支付", "扣款"],
        "category": "payments",
        "answers": [
            ("这种属于重复扣款，多扣的一笔系统对账后会自动原路退回，一般 1–3 个工作日到账（信用卡可能要到账单日才显示）。"
             "3 个工作日后还没有退回，把两条扣款短信截图发给客服处理。"),
        ],
    },
    {
        "key": "en-double-charge",
        "title": "I was charged twice for the same order",
        "body": "My credit card statement shows two identical charges of $58.20 from you on the same day, but I "
                "only have one order. Please help.",
        "tags": ["payment", "charge", "credit-card"],
        "category": "payments",
        "answers": [
            ("If the payment page timed out and you paid again, the duplicate payment is detected and reversed "
             "automatically within 3 business days. On a credit card it may show as a pending charge that simply "
             "disappears instead of a refund line. If it's still there after a week, contact support with the "
             "order number."),
        ],
    },
    {
        "key": "charged-order-unpaid",
        "title": "钱已经扣了，订单还显示待付款",
        "body": "付款成功后微信也有扣款记录，可是回到 App 里订单还是“待付款”，还一直提示我去付款。要不要再付一次？",
        "tags": ["支付", "订单"],
        "category": "payments",
        "answers": [
            ("千万不要再付一次。这种情况叫“掉单”，是支付结果通知延迟了，一般几分钟内订单会自动变成已付款。"
             "如果 30 分钟后仍然是待付款，订单会关闭，扣的钱会在 24 小时内原路退回。"),
        ],
    },
    {
        "key": "en-payment-failed-deducted",
        "title": "Payment failed but the money was taken from my account",
        "body": "Checkout said 'payment failed, please try again', but my bank app shows the amount as deducted. "
                "The order is still unpaid. Should I pay again?",
        "tags": ["payment", "bank"],
        "category": "payments",
        "answers": [
            ("Don't pay again yet. When the payment result doesn't reach us in time the bank only holds the "
             "money; if the order stays unpaid the hold is released automatically within 1–3 business days. "
             "If the order switches to paid within 30 minutes, everything is fine."),
        ],
    },
    {
        "key": "unionpay-limit",
        "title": "银联卡付款提示超过单笔限额",
        "body": "买一台 8000 多的笔记本，用银联卡付款提示“超出单笔支付限额”。卡里钱够，请问限额是平台设的还是银行设的？"
                "怎么才能付？",
        "tags": ["银联", "支付", "限额"],
        "category": "payments",
        "answers": [
            ("快捷支付的单笔/单日限额是发卡银行设置的，一般借记卡快捷支付单笔 5000 元。可以在手机银行里调高限额，"
             "或者选择“云闪付/网银支付”跳转到银行页面付款，限额会高一些；也可以用银行卡加余额组合支付。"),
        ],
    },
    {
        "key": "bind-card-fail",
        "title": "添加银行卡提示“持卡人信息不符”",
        "body": "绑卡的时候填了卡号、姓名、身份证和银行预留手机号，一直提示“持卡人信息与银行预留信息不符”，"
                "信息我核对过好几遍了。",
        "tags": ["银行卡", "绑卡"],
        "category": "payments",
        "answers": [
            ("最常见的原因是银行预留手机号不是现在用的号码（比如开卡时留的旧号码）。去银行柜台或者手机银行查一下、"
             "改一下预留手机号，再来绑卡就可以了。另外账号的实名信息也必须和持卡人一致。"),
        ],
    },
    {
        "key": "unbind-card",
        "title": "怎么解绑银行卡？旧卡已经注销了",
        "body": "有一张银行卡已经销户了，但还绑在账号上，每次付款默认都选它然后失败。想把它删掉，在哪里解绑？",
        "tags": ["银行卡", "解绑"],
        "category": "payments",
        "answers": [
            ("“我的 - 钱包 - 银行卡”里点这张卡，右上角“…”选“解除绑定”，验证支付密码就可以了。"
             "如果这张卡开通了自动续费或者免密支付，要先在“免密支付/自动扣款”里关掉才能解绑。"),
        ],
    },
    {
        "key": "en-foreign-card-declined",
        "title": "Foreign Visa card declined at checkout",
        "body": "I'm in the UK and my Visa debit card keeps getting declined at checkout. The card works "
                "everywhere else online. My bank says they never saw the transaction.",
        "tags": ["payment", "visa", "card"],
        "category": "payments",
        "answers": [
            ("International cards must pass 3-D Secure. If your bank never saw the attempt, the payment was "
             "stopped before reaching them, usually because the billing address doesn't match the card's "
             "country. Make sure the billing country is set to United Kingdom in the card details, and that "
             "pop-ups are allowed so the bank's verification page can open."),
        ],
    },
    {
        "key": "currency-conversion",
        "title": "用外币信用卡付款，实际扣的钱比页面上的多",
        "body": "页面上显示的是 ¥520，我用美元信用卡付款，账单上扣了 74.8 美元，按今天汇率算应该是 72 美元左右。"
                "多出来的钱是被收手续费了吗？",
        "tags": ["信用卡", "汇率", "支付"],
        "category": "payments",
        "answers": [
            ("平台按人民币收款，外币卡的换算和货币转换费（一般 1%–3%）都是发卡银行收的，汇率按银行入账当天的汇率计算，"
             "所以会和页面上的估算不一样。具体的费率可以问发卡行。"),
        ],
    },
    {
        "key": "installment",
        "title": "分期付款怎么开通？结算时没看到分期选项",
        "body": "想买一部手机，看别人说可以分 12 期免息，但是我结算页面只有一次性付款，没有分期的选项。",
        "tags": ["分期", "支付"],
        "category": "payments",
        "answers": [
            ("分期只对部分商品开放（商品页面会有“分期免息”标签），而且需要使用信用卡或者花呗付款。"
             "选择信用卡付款后在银行卡下面会出现“分期”选项，可以选 3/6/12 期。"),
        ],
    },
    {
        "key": "tw-card-auth-failed",
        "title": "信用卡付款失敗，顯示「授權失敗」",
        "body": "我在台灣用國泰世華的信用卡結帳，每次都顯示「授權失敗，請聯絡發卡銀行」，卡片額度還有很多，也有開通海外刷卡。",
        "tags": ["信用卡", "付款"],
        "category": "payments",
        "answers": [
            ("授权失败通常是发卡行的风控拦截了跨境交易，即使开通了海外刷卡，有些银行对大陆电商网站还要单独开启"
             "“境外网络交易”。请打给国泰世华客服，说明要在中国大陆的网站消费，请他们放行后再试。"),
        ],
    },
    {
        "key": "android-pay-crash",
        "title": "安卓版点“立即支付”就闪退",
        "body": "小米手机，App 是最新版本。购物车结算后点“立即支付”，屏幕一黑就退回桌面了，重启手机也一样，付不了款。",
        "tags": ["app", "闪退", "支付"],
        "category": "other",
        "answers": [
            ("这是 8.3.0 版本在部分安卓 14 机型上的已知问题，已经在 8.3.1 修复，请到应用商店更新。"
             "更新前可以先用手机浏览器登录网页版下单付款。"),
        ],
    },
    {
        "key": "apple-pay-bind-fail",
        "title": "Apple Pay 绑卡失败，提示无法添加此卡",
        "body": "想在结算时用 Apple Pay，可是往钱包里加这张招商银行信用卡的时候一直提示“无法添加此卡，请联系发卡机构”。",
        "tags": ["apple-pay", "银行卡"],
        "category": "payments",
        "answers": [
            ("招商银行的部分信用卡（比如联名卡、公务卡）不支持 Apple Pay，可以在招行 App 里查这张卡是否支持。"
             "支持的话，先在招行 App 里更新预留手机号，然后在钱包里删除重新添加。"),
        ],
    },
    {
        "key": "withdraw-balance",
        "title": "余额提现到银行卡要多久到账",
        "body": "账户余额里有 1200 元，是之前退款退到余额的，昨天申请提现到银行卡，现在还是“处理中”。一般多久能到？",
        "tags": ["余额", "提现"],
        "category": "payments",
        "answers": [
            ("提现一般 T+1 个工作日到账，周末和节假日顺延。提现前需要完成实名认证，并且提现的银行卡户名必须和实名信息一致，"
             "否则会被退回余额。"),
        ],
    },
    {
        "key": "wallet-withdraw-failed",
        "title": "钱包余额提现到银行卡失败",
        "body": "钱包里有 300 多块，申请提现到银行卡，每次都提示“提现失败，请稍后重试”，换了一张卡也一样。"
                "是不是账户有什么限制？",
        "tags": ["钱包", "提现"],
        "category": "payments",
        "answers": [
            ("提现失败最常见的原因是银行卡户名和实名认证的姓名不一致，或者卡是二类、三类账户有单日限额。"
             "先在“钱包 - 银行卡”里确认户名，再试一张一类储蓄卡。"),
        ],
    },
    {
        "key": "merchant-settlement",
        "title": "商家后台的货款一直在结算中，迟迟不到账",
        "body": "我是小店商家，订单确认收货已经 10 天了，后台这笔货款还是“结算中”，没法提现。请问结算周期是多久？",
        "tags": ["商家", "结算", "提现"],
        "category": "payments",
        "answers": [
            ("货款在买家确认收货后进入 7 天的售后保障期，期满后下一个结算日（每周二）统一结算到可提现余额。"
             "如果订单有进行中的售后或者投诉，会暂停结算直到处理完。"),
        ],
    },
    {
        "key": "en-link-paypal",
        "title": "How do I link my PayPal account?",
        "body": "I would like to use PayPal as my default payment method, but in the wallet I only see options "
                "for cards. Where do I connect PayPal?",
        "tags": ["paypal", "payment", "wallet"],
        "category": "payments",
        "answers": [
            ("PayPal appears under Wallet > Add payment method only when your account region is set to a country "
             "where PayPal is supported. Change the region in Settings > Region, then tap 'Add payment method > "
             "PayPal' and log in to PayPal to authorise it."),
        ],
    },
    {
        "key": "en-gift-card",
        "title": "Gift card balance not showing after redeeming",
        "body": "I redeemed a 50 dollar gift card code yesterday and it said success, but my wallet balance is "
                "still 0. Where did the money go?",
        "tags": ["gift-card", "wallet"],
        "category": "payments",
        "answers": [],
    },
    # --- refunds -------------------------------------------------------------------------------
    {
        "key": "refund-not-received",
        "title": "退款显示成功了，但钱一直没到账",
        "body": "退货退款一周前就显示“退款成功”，可是银行卡里一直没有收到这笔钱，查了好几次都没有。是不是退到别的地方去了？",
        "tags": ["退款", "银行卡"],
        "category": "payments",
        "answers": [
            ("退款是原路退回的：用哪张卡付的就退回哪张卡。显示“退款成功”表示平台已经把钱退给银行了，"
             "银行入账一般还需要 3–7 个工作日，信用卡是退回额度，要看下一期账单。可以在退款详情里查看“银行受理单号”，"
             "拿着单号问银行。"),
        ],
    },
    {
        "key": "en-refund-not-received",
        "title": "Refund approved 10 days ago but still not in my bank account",
        "body": "The seller approved my return and the app says refund completed on the 3rd. It's been 10 days "
                "and my bank account shows nothing. How long are refunds supposed to take?",
        "tags": ["refund", "bank"],
        "category": "payments",
        "answers": [
            ("Refunds go back to the original payment method. Once the app says completed, the money has left "
             "us; banks take 5–10 business days to post it. Open the refund details and copy the 'reference "
             "number' (ARN); your bank can trace the refund with it."),
        ],
    },
    {
        "key": "refund-rejected-by-merchant",
        "title": "商家拒绝退款，理由是已经拆封",
        "body": "买的耳机有杂音，申请退货退款，商家以“已拆封不支持退货”为由拒绝了。可是质量问题不是应该可以退吗？",
        "tags": ["退款", "商家", "售后"],
        "category": "complaints",
        "answers": [
            ("质量问题不受“拆封”限制。商家拒绝后，在售后详情里点“申请平台介入”，上传杂音的视频和聊天记录，"
             "平台客服会在 3 个工作日内判定，判定退款后商家必须执行。"),
        ],
    },
    {
        "key": "refund-partial",
        "title": "退款只退了商品钱，运费没有退",
        "body": "因为商品有破损申请了退货退款，商家同意了，可是退回来的金额少了 12 块运费。不是商家的问题吗，为什么运费不退？",
        "tags": ["退款", "运费"],
        "category": "payments",
        "answers": [
            ("因为商品质量或破损退货时，买家的来回运费应该由商家承担。可以在退款详情里点“申请补退运费”，上传寄回的快递单；"
             "如果买的时候有运费险，寄回的运费会由运费险直接赔付到账户。"),
        ],
    },
    {
        "key": "tw-refund-apply",
        "title": "退款申請要怎麼提交？找不到按鈕",
        "body": "收到的商品和描述不一樣，想申請退款，但是在訂單頁面只看到「確認收貨」和「評價」，沒有看到退款的按鈕。"
                "請問要去哪裡申請？",
        "tags": ["退款", "訂單"],
        "category": "payments",
        "answers": [
            ("在订单详情最下面有“售后/退款”的入口；如果已经确认收货，要从“我的 - 售后服务 - 申请售后”里选择这个订单。"
             "确认收货后 15 天内都可以申请退货退款。"),
        ],
    },
    {
        "key": "refund-wechat-where",
        "title": "微信支付的订单退款会退到哪里？",
        "body": "用微信支付买的东西退货了，显示退款成功，但是微信零钱里没有看到这笔钱，是退到哪里去了？",
        "tags": ["退款", "微信支付"],
        "category": "payments",
        "answers": [
            ("微信支付的退款按付款时的方式原路返回：用零钱付的退回零钱，用银行卡付的退回那张银行卡"
             "（在微信“钱包 - 账单”里可以看到退款记录，点进去能看到退到了哪张卡）。"),
        ],
    },
    {
        "key": "refund-after-cancel",
        "title": "取消订单以后多久能收到退款？",
        "body": "昨天取消了一个还没发货的订单，显示“退款中”，想问一下一般要多久才能退回来？用的是支付宝付款。",
        "tags": ["退款", "取消订单"],
        "category": "payments",
        "answers": [
            ("未发货的订单取消后会立即发起退款，支付宝余额一般几分钟内到账，支付宝绑定的银行卡 1–3 个工作日，"
             "花呗退回后会恢复额度。"),
        ],
    },
    {
        "key": "en-refund-closed-card",
        "title": "Refund to a card that has been closed",
        "body": "I returned an item, but the card I paid with was replaced by my bank because it was lost. Where "
                "will the refund go? Can you send it to my new card?",
        "tags": ["refund", "card"],
        "category": "payments",
        "answers": [
            ("We can only refund to the original card, but that's fine: when a card is replaced, the bank keeps "
             "the same account behind it and credits the refund to the new card or to the account. If the "
             "account itself was closed, the bank returns the money to us and we refund it to your wallet "
             "balance."),
        ],
    },
    {
        "key": "hk-paypal-refund",
        "title": "PayPal 付款的訂單，退款多久會到帳？",
        "body": "我在香港用 PayPal 付款，訂單取消已經五天了，PayPal 那邊還沒有看到退款。請問一般要多久？",
        "tags": ["paypal", "退款"],
        "category": "payments",
        "answers": [
            ("退到 PayPal 的款项一般在平台处理后 1–2 个工作日内显示在 PayPal 账户里；如果 PayPal 当时扣的是信用卡，"
             "PayPal 会再退回信用卡，需要再加 3–5 个工作日。"),
        ],
    },
    {
        "key": "price-protection",
        "title": "刚买完就降价了，能退差价吗",
        "body": "上周 599 买的空气炸锅，今天看同一个商品降到了 499。能不能申请退差价？不想退货再重新买。",
        "tags": ["价格保护", "退款"],
        "category": "other",
        "answers": [
            ("带“价保”标签的商品，下单后 30 天内降价可以在订单里点“申请价保”，差价会退回原支付方式。"
             "没有价保的商品只能联系商家协商，或者在 7 天无理由期限内退货重新购买。"),
        ],
    },
    # --- invoices and receipts -------------------------------------------------------------------
    {
        "key": "invoice-how",
        "title": "怎么开发票？公司报销需要增值税专用发票",
        "body": "买了几台办公用的显示器，公司财务要增值税专用发票，下单的时候忘了选开发票。现在还能补开吗？",
        "tags": ["发票", "报销"],
        "category": "orders",
        "answers": [
            ("可以补开。订单完成后在“订单详情 - 申请开票”里选择“增值税专用发票”，填写公司名称、税号、开户行和账号等信息。"
             "普通发票一般是电子发票，开好后发到邮箱；专票是纸质的，会邮寄。"),
        ],
    },
    {
        "key": "invoice-wrong-title",
        "title": "发票抬头写错了，能重新开吗",
        "body": "申请发票时公司名称少写了一个字，电子发票已经发到邮箱了，财务说抬头不对不能报销。",
        "tags": ["发票"],
        "category": "orders",
        "answers": [
            ("电子发票开具后 30 天内可以在“订单详情 - 发票 - 换开发票”里修改抬头重新开具一次，原来的发票会自动作废。"
             "超过 30 天或者专票要换开，需要联系商家处理。"),
        ],
    },
    {
        "key": "en-vat-invoice",
        "title": "Where can I download a VAT invoice for my order?",
        "body": "I'm buying for my company in Germany and need a proper VAT invoice with your tax details for "
                "accounting. The order confirmation email is not enough.",
        "tags": ["invoice", "vat", "order"],
        "category": "orders",
        "answers": [
            ("Once the order is delivered, open Order details > Documents > Invoice (PDF). For business purchases "
             "enter your company name and VAT ID under Settings > Business info before ordering so they appear "
             "on the invoice; for past orders you can request a corrected invoice from the same Documents page."),
        ],
    },
    {
        "key": "en-receipt-partial-refund",
        "title": "Need an updated receipt after a partial refund",
        "body": "One item in my order was refunded but the receipt still shows the full amount. My expense system "
                "rejects it. Can I get a receipt with the correct total?",
        "tags": ["receipt", "refund"],
        "category": "orders",
        "answers": [
            ("The document is regenerated after a refund: go to Order details > Documents and download it again; "
             "the new version shows the refunded line as a credit note. If it still shows the old total, wait a "
             "day for the refund to be fully processed."),
        ],
    },
    {
        "key": "tw-e-invoice",
        "title": "請問可以開立電子發票嗎？要存到手機載具",
        "body": "我在台灣，公司報帳需要發票，想問平台可以開電子發票嗎？能不能直接存到手機條碼載具？",
        "tags": ["發票", "台灣"],
        "category": "orders",
        "answers": [],
    },
    {
        "key": "en-membership-invoice",
        "title": "Can I get an invoice for my annual membership fee?",
        "body": "I paid for the yearly Plus membership with my company card and need an invoice for it. "
                "Membership isn't an order so I can't find any invoice button.",
        "tags": ["membership", "invoice"],
        "category": "other",
        "answers": [
            ("Membership invoices are under Me > Membership > Payment history: tap the payment and choose "
             "'Request invoice'. Invoices for subscriptions are issued by the platform itself, not a seller, and "
             "are emailed within 2 business days."),
        ],
    },
    # --- complaints ------------------------------------------------------------------------------
    {
        "key": "complaint-seller-rude",
        "title": "投诉商家客服态度恶劣",
        "body": "咨询商品问题时，商家客服直接骂人，还说“爱买不买”。聊天记录我都截图了，请问去哪里投诉这个商家？",
        "tags": ["投诉", "商家"],
        "category": "complaints",
        "answers": [
            ("在和商家的聊天窗口右上角点“…”选“投诉商家”，选“服务态度”并上传截图。平台一般 3 个工作日内处理，"
             "核实后会对商家扣分处罚，处理结果会通过消息通知你。"),
        ],
    },
    {
        "key": "complaint-fake-goods",
        "title": "买到假货了，商家不承认，怎么投诉",
        "body": "在一家号称官方旗舰店买的运动鞋，拿去专柜鉴定说是假的，商家说鉴定报告不算数，不给退。",
        "tags": ["投诉", "假货"],
        "category": "complaints",
        "answers": [
            ("售假属于严重违规。在订单里申请售后选“假冒品牌”，上传专柜的鉴定证明或正规鉴定机构报告，同时申请平台介入。"
             "核实售假后支持“假一赔四”，商家会被处罚。"),
        ],
    },
    {
        "key": "en-support-no-reply",
        "title": "Customer support hasn't replied to my ticket in a week",
        "body": "I opened a support ticket about a missing parcel 8 days ago and got an automatic reply only. "
                "Nobody has contacted me since. Is there any way to escalate?",
        "tags": ["support", "complaint", "ticket"],
        "category": "complaints",
        "answers": [
            ("Tickets normally get a reply within 48 hours; one that has waited longer can be escalated from the "
             "ticket page with 'Escalate', which sends it to a supervisor. You can also use the live chat under "
             "Help and mention the ticket number."),
        ],
    },
    {
        "key": "complaint-courier",
        "title": "快递员没送货上门就点了签收，要投诉",
        "body": "买的是送货上门的大件，快递员没打电话也没送，直接在系统里点了签收，包裹放在小区门口的驿站，还要我自己去搬。",
        "tags": ["投诉", "快递"],
        "category": "complaints",
        "answers": [
            ("可以在订单的物流详情里点“投诉快递”，选“虚假签收”，平台会转给快递公司处理；也可以直接打快递公司的官方客服投诉。"
             "大件商品承诺送货上门却没送的，还可以找商家要求补偿。"),
        ],
    },
    {
        "key": "complaint-fake-promo",
        "title": "先涨价再打折，这种虚假促销能投诉吗",
        "body": "双十一前一周看的价格是 299，活动开始后显示“原价 499，现价 329”，比之前还贵。这算不算虚假宣传？",
        "tags": ["投诉", "促销"],
        "category": "complaints",
        "answers": [
            ("可以。在商品页面右上角“…”选“举报”，类型选“价格欺诈/虚假促销”，最好附上之前价格的截图。"
             "核实后商家会被处罚，已经下单的可以申请退差价或者退货。"),
        ],
    },
    # --- coupons, points, membership ------------------------------------------------------------
    {
        "key": "coupon-not-usable",
        "title": "领了优惠券，结算的时候却用不了",
        "body": "领了一张满 200 减 30 的券，购物车里商品加起来 230，结算时优惠券那里显示“暂无可用”。",
        "tags": ["优惠券"],
        "category": "other",
        "answers": [
            ("先看一下券的使用说明：很多店铺券只能用于指定商品，满减门槛是按“可用商品”的金额算的，而且不包括运费。"
             "跨店满减和店铺券也有不能叠加的情况。"),
        ],
    },
    {
        "key": "coupon-after-refund",
        "title": "退款以后，用过的优惠券会退回来吗",
        "body": "下单用了一张 50 元的优惠券，后来整单退货退款了，优惠券还能退回给我吗？",
        "tags": ["优惠券", "退款"],
        "category": "other",
        "answers": [
            ("整单退款时，如果券还在有效期内，会自动退回到“我的 - 优惠券”；已经过期的券不会退回。"
             "部分退款的话券不退回，优惠金额会按比例分摊扣除。"),
        ],
    },
    {
        "key": "en-promo-code-invalid",
        "title": "Promo code says 'invalid' at checkout",
        "body": "I got a WELCOME10 promo code in a newsletter but at checkout it says the code is invalid. I'm a "
                "new customer and this is my first order.",
        "tags": ["coupon", "promo", "checkout"],
        "category": "other",
        "answers": [
            ("Welcome codes are tied to the email address the newsletter was sent to, so make sure you are logged "
             "in with that same email. They also have a minimum order value (shown in the newsletter small print) "
             "and can't be combined with other vouchers."),
        ],
    },
    {
        "key": "membership-auto-renew",
        "title": "会员自动续费怎么关闭？",
        "body": "开了一个月的会员试用，结果到期自动扣了 198 元续了一年。想把自动续费关掉，在会员页面没找到。",
        "tags": ["会员", "自动续费"],
        "category": "other",
        "answers": [
            ("自动续费是在支付渠道签约的：用支付宝开的到“支付宝 - 我的 - 设置 - 支付设置 - 免密支付/自动扣款”里解约；"
             "用微信开的到“微信 - 我 - 服务 - 钱包 - 支付设置 - 自动续费”里关闭。刚扣的费用如果还没有使用会员权益，"
             "可以联系客服申请退款。"),
        ],
    },
    {
        "key": "en-membership-charged-after-cancel",
        "title": "Cancelled my Plus membership but still got charged",
        "body": "I cancelled Plus in the app last month, I even got a confirmation screen. Today I was charged "
                "$9.99 again for renewal.",
        "tags": ["membership", "subscription", "billing"],
        "category": "other",
        "answers": [
            ("If you subscribed through the App Store or Google Play, cancelling inside our app does not stop the "
             "store subscription; it has to be cancelled in your Apple ID / Google Play subscriptions. For the "
             "charge you just got, request a refund from Apple or Google, or contact our support with the "
             "receipt if you subscribed on the website."),
        ],
    },
    {
        "key": "points-expired",
        "title": "积分过期了还能恢复吗？",
        "body": "攒了 3 万多积分准备换东西，今天一看清零了，说是年底过期。之前没有收到任何提醒。",
        "tags": ["积分", "会员"],
        "category": "other",
        "answers": [
            ("积分的有效期是获得后的第二年年底，过期清零后不能恢复。到期前 30 天会有站内消息提醒，"
             "可以在“通知设置”里打开短信提醒，避免以后错过。"),
        ],
    },
    {
        "key": "vip-free-shipping",
        "title": "开通了会员，下单还是要付运费",
        "body": "买了年卡会员，说是全年免运费，可是今天下单还是收了 8 元运费。是不是会员没有生效？",
        "tags": ["会员", "运费"],
        "category": "other",
        "answers": [
            ("会员免运费是每月 5 张“免运费券”，结算时需要勾选使用，而且只对平台自营和标有“会员包邮”的店铺有效。"
             "第三方店铺的运费会员不能免。"),
        ],
    },
    # --- the app ---------------------------------------------------------------------------------
    {
        "key": "app-crash-ios",
        "title": "App 闪退，iPhone 升级 iOS 17 以后一打开就崩溃",
        "body": "手机升级到 iOS 17.2 之后，打开 App 看到启动页就直接退出，删了重装也一样。iPhone 13。",
        "tags": ["app", "闪退", "ios"],
        "category": "other",
        "answers": [
            ("请到 App Store 更新到 8.2.5 或以上版本，旧版本在 iOS 17 上有兼容问题会崩溃。如果已经是最新版，"
             "在“设置 - 通用 - iPhone 储存空间”里卸载 App（保留数据）后重新安装。"),
        ],
    },
    {
        "key": "en-app-crash-orders",
        "title": "App crashes every time I open 'My orders' (Android)",
        "body": "On my Samsung Galaxy S21 the app closes immediately when I tap on My orders. Everything else "
                "works. I already cleared the cache.",
        "tags": ["app", "android", "crash"],
        "category": "other",
        "answers": [
            ("This was caused by orders containing a deleted product and is fixed in version 8.3.1. Update from "
             "Google Play; if you can't update right now, the mobile website shows your orders normally."),
        ],
    },
    {
        "key": "en-app-white-screen",
        "title": "App stuck on a blank white screen after the update",
        "body": "After updating the app yesterday it only shows a white screen after the splash logo. Waited "
                "several minutes, restarted the phone, nothing.",
        "tags": ["app", "update"],
        "category": "other",
        "answers": [
            ("A white screen after an update usually means the app is still loading old cached data. On Android go "
             "to Settings > Apps > (the app) > Storage > Clear storage; on iPhone delete and reinstall. You will "
             "need to log in again, but your orders and account are kept on the server."),
        ],
    },
    {
        "key": "upload-photo-fail",
        "title": "评价上传图片一直失败",
        "body": "写商品评价的时候上传照片，进度条走到一半就提示“上传失败”，换了 WiFi 和 4G 都一样，文字评价可以提交。",
        "tags": ["app", "评价"],
        "category": "other",
        "answers": [
            ("单张图片不能超过 10MB，iPhone 拍的 HEIC 格式有时候会上传失败，可以在相机设置里改成“兼容性最佳”，"
             "或者先截图再上传。另外检查一下有没有给 App 相册权限。"),
        ],
    },
    {
        "key": "push-notification",
        "title": "收不到订单发货的推送通知",
        "body": "以前每次发货都有通知提醒，最近一个月完全收不到推送了，系统设置里通知权限是开着的。华为手机。",
        "tags": ["app", "通知"],
        "category": "other",
        "answers": [],
    },
    # --- other -----------------------------------------------------------------------------------
    {
        "key": "en-change-language",
        "title": "How do I change the app language to English?",
        "body": "My phone is set to Chinese so the app shows everything in Chinese. I'd like the app itself in "
                "English while keeping the phone in Chinese.",
        "tags": ["app", "language"],
        "category": "other",
        "answers": [
            ("Go to Me > Settings > General > Language and choose English. The app restarts in English; product "
             "descriptions written by sellers stay in the language they wrote them in."),
        ],
    },
    {
        "key": "customer-service-phone",
        "title": "人工客服怎么联系？电话一直是机器人",
        "body": "打客服热线一直是语音机器人在回答，按什么键都转不到人工。在线客服也是智能客服，问题解决不了。",
        "tags": ["客服"],
        "category": "other",
        "answers": [
            ("在线客服里连续输入“转人工”两次就会排队转人工客服，工作时间是 9:00–22:00。电话客服在语音菜单里说"
             "“人工服务”也可以转接。"),
        ],
    },
]

QUERIES: list[dict[str, Any]] = [
    # --- short Chinese keywords ------------------------------------------------------------------
    {"q": "收货地址", "relevant": ["change-address-after-order", "address-after-shipped"],
     "note": "the two threads about changing a delivery address (before and after shipping)"},
    {"q": "支付失败", "relevant": ["card-payment-failed", "wechat-pay-failed"],
     "note": "broad; the two generic payment-failure threads (bank card, WeChat Pay) should be near the top"},
    {"q": "退款", "relevant": ["tw-refund-apply", "refund-not-received"],
     "note": "broad; how to apply for a refund and where the refund is are what people mean"},
    {"q": "重复扣款", "relevant": ["double-charge"],
     "note": "the thread says 扣了两次钱; only its answer names it 重复扣款"},
    {"q": "换货", "relevant": ["return-exchange-size"], "note": "exchange for another size"},
    {"q": "分期付款", "relevant": ["installment"], "note": "installment payments"},
    {"q": "积分过期", "relevant": ["points-expired"], "note": "expired points"},
    {"q": "注销账号", "relevant": ["delete-account"], "note": "closing the account"},
    {"q": "账号被盗", "relevant": ["account-hacked"], "note": "stolen account"},
    {"q": "买到假货", "relevant": ["complaint-fake-goods"], "note": "counterfeit goods complaint"},
    {"q": "投诉商家", "relevant": ["complaint-seller-rude", "complaint-fake-goods"],
     "note": "the two complaints against a seller"},
    {"q": "解绑银行卡", "relevant": ["unbind-card"], "note": "removing a card"},
    {"q": "绑卡失败", "relevant": ["bind-card-fail", "apple-pay-bind-fail"],
     "note": "adding a card fails: to the wallet (cardholder mismatch) and to Apple Pay"},
    {"q": "换绑手机号", "relevant": ["change-phone-number"], "note": "changing the bound phone number"},
    {"q": "实名认证不通过", "relevant": ["real-name-verification"], "note": "ID verification rejected"},
    {"q": "转人工客服", "relevant": ["customer-service-phone"], "note": "reaching a human agent"},
    {"q": "会员免运费", "relevant": ["vip-free-shipping"], "note": "membership free shipping not applied"},
    {"q": "恢复码", "relevant": ["2fa-lost-phone"], "note": "only the answers mention backup recovery codes"},
    # --- Chinese sentences without spaces --------------------------------------------------------
    {"q": "我的订单怎么取消不了", "relevant": ["cancel-order-button-grey"],
     "note": "cancel button is greyed out"},
    {"q": "忘记密码了怎么办", "relevant": ["pwd-reset-sms"], "note": "password recovery"},
    {"q": "发票抬头写错了", "relevant": ["invoice-wrong-title"], "note": "re-issue an invoice"},
    {"q": "怎么开发票", "relevant": ["invoice-how"], "note": "how to get an invoice"},
    {"q": "扣款成功但订单显示未付款", "relevant": ["charged-order-unpaid"],
     "note": "money taken, order unpaid (the thread says 待付款)"},
    {"q": "优惠券用不了", "relevant": ["coupon-not-usable"], "note": "coupon not applicable at checkout"},
    {"q": "关闭自动续费", "relevant": ["membership-auto-renew"], "note": "stop membership auto-renewal"},
    {"q": "物流一直不更新", "relevant": ["logistics-stuck"], "note": "tracking stuck"},
    {"q": "显示签收了但是没收到货", "relevant": ["package-signed-not-received", "complaint-courier"],
     "note": "marked delivered but not received; the courier complaint is the same situation"},
    {"q": "换了手机两步验证登录不了", "relevant": ["2fa-lost-phone"], "note": "lost authenticator"},
    {"q": "退款退到哪里了", "relevant": ["refund-wechat-where", "refund-not-received"],
     "note": "where does a refund go: both explain 原路退回"},
    {"q": "商家不同意退款", "relevant": ["refund-rejected-by-merchant"],
     "note": "the thread says 拒绝, the searcher says 不同意"},
    {"q": "取消订单后多久退款", "relevant": ["refund-after-cancel"], "note": "refund timing after cancelling"},
    {"q": "用外币信用卡扣款金额不对", "relevant": ["currency-conversion"], "note": "currency conversion fee"},
    {"q": "银联卡付款超过限额", "relevant": ["unionpay-limit"], "note": "UnionPay single-payment limit"},
    {"q": "余额提现多久到账", "relevant": ["withdraw-balance"], "note": "withdrawal to bank card"},
    {"q": "刚买就降价能退差价吗", "relevant": ["price-protection"], "note": "price protection"},
    {"q": "寄到香港运费多少", "relevant": ["hk-delivery-time"], "note": "shipping to Hong Kong (Traditional)"},
    {"q": "订单不见了", "relevant": ["order-disappeared"], "note": "order missing from the list"},
    {"q": "更换绑定邮箱", "relevant": ["email-change"], "note": "change e-mail"},
    {"q": "微信登录以后订单都没了", "relevant": ["wechat-login-new-account", "order-disappeared"],
     "note": "WeChat login created a new account; the missing-order answer points to the same cause"},
    {"q": "改了密码以后App总是自动退出登录", "relevant": ["tw-logout-after-pwd-change"],
     "note": "Simplified query, Traditional thread"},
    {"q": "原路退回要几天", "relevant": ["refund-not-received", "refund-after-cancel"],
     "note": "refund timing; the words are only in the answers"},
    # --- Traditional Chinese ---------------------------------------------------------------------
    {"q": "帳號被鎖定", "relevant": ["login-locked-tw", "locked-wrong-password", "account-frozen-risk"],
     "note": "locked after wrong passwords (Traditional and Simplified threads) and frozen by risk control"},
    {"q": "運費沒有退", "relevant": ["refund-partial"], "note": "Traditional query, Simplified thread"},
    {"q": "信用卡授權失敗", "relevant": ["tw-card-auth-failed"], "note": "card authorisation failure"},
    {"q": "退款申請", "relevant": ["tw-refund-apply"], "note": "how to submit a refund request"},
    {"q": "電子發票", "relevant": ["tw-e-invoice", "invoice-how"],
     "note": "e-invoice: the Taiwan thread and the answer that says invoices are electronic"},
    # --- English ---------------------------------------------------------------------------------
    {"q": "refund not received", "relevant": ["en-refund-not-received"], "note": "refund not arrived"},
    {"q": "cannot log in", "relevant": ["en-cannot-login", "en-sms-code-login", "en-2fa-code-invalid"],
     "note": "the three English threads of people who cannot get into their account"},
    {"q": "password reset", "relevant": ["en-password-reset-email"], "note": "reset mail not arriving"},
    {"q": "invoice", "relevant": ["en-vat-invoice", "en-membership-invoice"],
     "note": "how to get an invoice, for an order and for membership"},
    {"q": "charged twice", "relevant": ["en-double-charge"], "note": "duplicate charge"},
    {"q": "payment failed", "relevant": ["en-payment-failed-deducted", "en-foreign-card-declined"],
     "note": "the English payment-failure threads"},
    {"q": "app crash", "relevant": ["en-app-crash-orders"], "note": "the English crash thread"},
    {"q": "promo code not working", "relevant": ["en-promo-code-invalid"], "note": "promo code invalid"},
    {"q": "cancel membership", "relevant": ["en-membership-charged-after-cancel"],
     "note": "cancelled but still charged"},
    {"q": "authenticator code invalid", "relevant": ["en-2fa-code-invalid"], "note": "2FA codes rejected"},
    {"q": "foreign card declined", "relevant": ["en-foreign-card-declined"], "note": "international card"},
    {"q": "received wrong item", "relevant": ["en-wrong-item"], "note": "wrong item, return"},
    {"q": "tracking number not found", "relevant": ["en-tracking-number"], "note": "tracking not found"},
    {"q": "order stuck in processing", "relevant": ["en-order-stuck-processing"], "note": "seller not shipping"},
    {"q": "gift card balance", "relevant": ["en-gift-card"], "note": "gift card not credited"},
    {"q": "account locked", "relevant": ["en-account-suspended", "login-locked-tw", "locked-wrong-password",
                                         "account-frozen-risk"],
     "note": "the suspended English account, and the locked/frozen Chinese ones (锁定/冻结 = locked)"},
    # --- mixed Chinese and English ---------------------------------------------------------------
    {"q": "微信支付 failed", "relevant": ["wechat-pay-failed"], "note": "WeChat Pay failure"},
    {"q": "App 闪退", "relevant": ["app-crash-ios", "android-pay-crash"], "note": "the two crash threads"},
    {"q": "PayPal 付款失败", "relevant": ["paypal-failed-mixed"], "note": "PayPal instrument declined"},
    {"q": "Apple Pay 绑卡失败", "relevant": ["apple-pay-bind-fail"], "note": "card cannot be added"},
    {"q": "PayPal 退款多久到账", "relevant": ["hk-paypal-refund"], "note": "PayPal refund timing (Traditional)"},
    # --- across languages, through the synonym groups --------------------------------------------
    {"q": "unbind bank card", "relevant": ["unbind-card"], "note": "解绑=unbind, 银行卡=bank card"},
    {"q": "change address after order", "relevant": ["change-address-after-order"],
     "note": "修改=change, 地址=address, 订单=order; the default-address thread is about future orders"},
    {"q": "refund coupon", "relevant": ["coupon-after-refund"], "note": "退款=refund, 优惠券=coupon"},
    {"q": "绑定PayPal账号", "relevant": ["en-link-paypal"], "note": "绑定=link, 账号=account"},
    {"q": "会员发票", "relevant": ["en-membership-invoice"], "note": "会员=membership, 发票=invoice"},
    # --- filters ---------------------------------------------------------------------------------
    {"q": "退款 category:complaints", "relevant": ["refund-rejected-by-merchant"],
     "note": "the refund dispute filed as a complaint"},
    {"q": "tag:退款 运费", "relevant": ["refund-partial"], "note": "shipping fee not refunded"},
    {"q": "发票 is:unanswered", "relevant": ["tw-e-invoice"], "note": "the unanswered invoice thread"},
    {"q": "tag:app 闪退", "relevant": ["app-crash-ios", "android-pay-crash"], "note": "crashes tagged app"},
]


# Natural queries (issue 21): written the way members type when they describe a problem rather
# than pick keywords: whole colloquial sentences with particles and filler (了, 被, 怎么办, 请问),
# colloquial words for what the threads say formally (秒退 for 闪退, 扣了两遍 for 扣了两次, 转不出来
# for 提现失败), variants (帐号, 登陆), abbreviations (VIP, APP) and English sentences. Judged like
# QUERIES, by meaning, before looking at what the search returns; the first five are the issue's.
NATURAL_QUERIES: list[dict[str, Any]] = [
    # --- the examples ---------------------------------------------------------------------
    {"q": "我的快递被邻居拿走了怎么办", "relevant": ["package-signed-not-received"],
     "note": "shows as signed for, the member never got it"},
    {"q": "银行卡扣了两遍钱", "relevant": ["double-charge"], "note": "charged twice (扣了两次)"},
    {"q": "密码输错被锁住了", "relevant": ["locked-wrong-password", "login-locked-tw"],
     "note": "locked after wrong passwords (锁住 = 锁定)"},
    {"q": "帐号被锁住了怎么弄", "relevant": ["locked-wrong-password", "login-locked-tw"],
     "note": "帐号 is a variant of 账号"},
    {"q": "钱包的钱转不出来", "relevant": ["wallet-withdraw-failed"], "note": "withdrawal to a bank card fails"},
    # --- accounts ---------------------------------------------------------------------------------
    {"q": "忘了密码验证码一直收不到怎么办", "relevant": ["pwd-reset-sms"], "note": "reset code by SMS not arriving"},
    {"q": "找回密码的时候短信死活收不到", "relevant": ["pwd-reset-sms"], "note": "same, colloquial"},
    {"q": "密码打错几次就登不上去了", "relevant": ["locked-wrong-password", "login-locked-tw"],
     "note": "打错 = 输错; locked out"},
    {"q": "旧手机坏了两步验证的码收不到登不上去", "relevant": ["2fa-lost-phone"], "note": "lost authenticator"},
    {"q": "手机丢了身份验证器也没了咋登录", "relevant": ["2fa-lost-phone"], "note": "lost authenticator"},
    {"q": "以前的手机号不用了怎么换个新号绑定", "relevant": ["change-phone-number"], "note": "rebind phone"},
    {"q": "号被别人盗了还用我的卡买东西", "relevant": ["account-hacked"], "note": "stolen account"},
    {"q": "我想把帐号注销掉在哪里弄", "relevant": ["delete-account"], "note": "close the account"},
    {"q": "用微信登陆以后之前的订单全都没了", "relevant": ["wechat-login-new-account"],
     "note": "登陆 variant; WeChat login made a new account"},
    {"q": "实名认证老是通不过说信息对不上", "relevant": ["real-name-verification"], "note": "ID check fails"},
    {"q": "帐户被冻结了说我有异常交易", "relevant": ["account-frozen-risk"], "note": "帐户 variant; risk freeze"},
    {"q": "绑的邮箱想换一个新的", "relevant": ["email-change"], "note": "change e-mail"},
    {"q": "改完密码APP老是自己退出登录", "relevant": ["tw-logout-after-pwd-change"],
     "note": "APP upper case; Traditional thread"},
    {"q": "账号被封了怎么解封", "relevant": ["account-frozen-risk", "en-account-suspended", "locked-wrong-password"],
     "note": "封 = frozen/suspended"},
    # --- orders and delivery ------------------------------------------------------------------------
    {"q": "下完单发现地址写错了还能改吗", "relevant": ["change-address-after-order", "address-after-shipped"],
     "note": "change the address of an order"},
    {"q": "东西已经发出去了地址填错了咋办", "relevant": ["address-after-shipped"], "note": "after shipping"},
    {"q": "想取消订单但是按钮点不动", "relevant": ["cancel-order-button-grey"], "note": "cancel button grey"},
    {"q": "快递好几天都不动了", "relevant": ["logistics-stuck"], "note": "tracking not moving"},
    {"q": "物流信息一直没有更新是怎么回事", "relevant": ["logistics-stuck"], "note": "tracking stuck"},
    {"q": "显示签收了可我啥也没收到", "relevant": ["package-signed-not-received", "complaint-courier"],
     "note": "signed for but not received"},
    {"q": "快递说送到了但是我没拿到", "relevant": ["package-signed-not-received", "complaint-courier"],
     "note": "delivered but not received"},
    {"q": "快递员没送上门直接点了签收", "relevant": ["complaint-courier", "package-signed-not-received"],
     "note": "courier marked it delivered without delivering"},
    {"q": "衣服买小了能换大一码吗", "relevant": ["return-exchange-size"], "note": "exchange size"},
    {"q": "订单列表里我的订单找不着了", "relevant": ["order-disappeared"], "note": "order gone from the list"},
    {"q": "寄去香港要几天运费咋算", "relevant": ["hk-delivery-time"], "note": "shipping to Hong Kong"},
    {"q": "在一家店买了两单能一起发吗", "relevant": ["merge-orders"], "note": "merge two orders of a shop"},
    {"q": "衣服尺码不对想换个号", "relevant": ["return-exchange-size"], "note": "exchange size"},
    # --- payments -----------------------------------------------------------------------------------
    {"q": "用银行卡付钱说交易被拒了", "relevant": ["card-payment-failed"], "note": "card payment declined"},
    {"q": "微信付不了款老提示支付异常", "relevant": ["wechat-pay-failed"], "note": "WeChat Pay fails"},
    {"q": "支付宝付款说有风险付不了", "relevant": ["alipay-risk"], "note": "Alipay risk warning"},
    {"q": "付一次钱扣了我两次", "relevant": ["double-charge"], "note": "charged twice"},
    {"q": "同一个订单被扣了两次款怎么办", "relevant": ["double-charge", "en-double-charge"],
     "note": "charged twice; the English thread is the same problem"},
    {"q": "钱都扣了订单还是待付款", "relevant": ["charged-order-unpaid"], "note": "paid but order unpaid"},
    {"q": "付完钱了订单显示没付款", "relevant": ["charged-order-unpaid"], "note": "paid but order unpaid"},
    {"q": "银联卡付款超额了付不了", "relevant": ["unionpay-limit"], "note": "UnionPay limit"},
    {"q": "绑银行卡老是说持卡人信息不对", "relevant": ["bind-card-fail"], "note": "cardholder mismatch"},
    {"q": "旧银行卡注销了怎么删掉", "relevant": ["unbind-card"], "note": "remove an old card"},
    {"q": "外币卡付款扣的钱比显示的多", "relevant": ["currency-conversion"], "note": "currency conversion"},
    {"q": "结账的时候找不到分期", "relevant": ["installment"], "note": "no installment option"},
    {"q": "信用卡刷不过去显示授权失败", "relevant": ["tw-card-auth-failed"], "note": "authorisation failure"},
    {"q": "安卓手机一点支付就秒退", "relevant": ["android-pay-crash"], "note": "秒退 = 闪退"},
    {"q": "app老是秒退咋整", "relevant": ["app-crash-ios", "android-pay-crash"], "note": "the crash threads"},
    {"q": "apple pay加不了卡", "relevant": ["apple-pay-bind-fail"], "note": "card cannot be added"},
    {"q": "余额提现好几天了还没到", "relevant": ["withdraw-balance"], "note": "withdrawal timing"},
    {"q": "提现一直失败是怎么回事", "relevant": ["wallet-withdraw-failed"], "note": "withdrawal fails"},
    {"q": "商家后台的货款一直没到账", "relevant": ["merchant-settlement"], "note": "merchant settlement"},
    # --- refunds and invoices -----------------------------------------------------------------------
    {"q": "退款成功了钱一直没到", "relevant": ["refund-not-received"], "note": "refund not arrived"},
    {"q": "请问退款一直没到账怎么回事", "relevant": ["refund-not-received"], "note": "refund not arrived"},
    {"q": "商家说拆了包装就不给退", "relevant": ["refund-rejected-by-merchant"], "note": "refund refused"},
    {"q": "退款的时候运费没给我退", "relevant": ["refund-partial"], "note": "shipping not refunded"},
    {"q": "在哪里申请退款啊找不到", "relevant": ["tw-refund-apply"], "note": "where to apply"},
    {"q": "微信付的钱退款退到哪去了", "relevant": ["refund-wechat-where"], "note": "where the refund goes"},
    {"q": "取消了订单钱多久能退回来", "relevant": ["refund-after-cancel"], "note": "refund timing after cancel"},
    {"q": "paypal付的退款要多久才到", "relevant": ["hk-paypal-refund"], "note": "PayPal refund timing"},
    {"q": "买完第二天就降价了能保价吗", "relevant": ["price-protection"], "note": "保价 = price protection"},
    {"q": "公司报销要专票怎么开", "relevant": ["invoice-how"], "note": "VAT special invoice"},
    {"q": "发票上公司名字写错了能重开吗", "relevant": ["invoice-wrong-title"], "note": "wrong invoice title"},
    {"q": "能开电子发票存到手机载具吗", "relevant": ["tw-e-invoice"], "note": "e-invoice carrier"},
    {"q": "退了货优惠券还能还给我吗", "relevant": ["coupon-after-refund"], "note": "coupon after refund"},
    {"q": "领的券付款的时候用不上", "relevant": ["coupon-not-usable"], "note": "coupon not usable"},
    # --- complaints, membership, app, support -------------------------------------------------------
    {"q": "卖家客服态度很差还骂人怎么投诉", "relevant": ["complaint-seller-rude"], "note": "rude seller"},
    {"q": "买的东西是假的商家还不认", "relevant": ["complaint-fake-goods"], "note": "counterfeit"},
    {"q": "先涨价再打折是不是骗人的能投诉吗", "relevant": ["complaint-fake-promo"], "note": "fake promotion"},
    {"q": "会员自动扣费怎么关掉", "relevant": ["membership-auto-renew"], "note": "auto renewal"},
    {"q": "我的会员怎么退订", "relevant": ["membership-auto-renew"], "note": "退订 = cancel the renewal"},
    {"q": "积分过期了能找回来吗", "relevant": ["points-expired"], "note": "expired points"},
    {"q": "开了VIP买东西还收运费", "relevant": ["vip-free-shipping"], "note": "VIP = 会员"},
    {"q": "苹果手机升级系统后app一打开就闪退", "relevant": ["app-crash-ios"], "note": "iOS crash"},
    {"q": "写评价的时候照片传不上去", "relevant": ["upload-photo-fail"], "note": "photo upload fails"},
    {"q": "发货了也没有通知提醒我", "relevant": ["push-notification"], "note": "no push notification"},
    {"q": "怎么找真人客服", "relevant": ["customer-service-phone"], "note": "真人 = 人工"},
    {"q": "打电话一直是机器人转不了人工", "relevant": ["customer-service-phone"], "note": "reach a human"},
    # --- Traditional Chinese ------------------------------------------------------------------------
    {"q": "請問帳號被鎖住了要怎麼辦", "relevant": ["login-locked-tw", "locked-wrong-password"],
     "note": "Traditional, colloquial"},
    {"q": "退款一直沒到帳是怎麼回事", "relevant": ["refund-not-received"], "note": "Traditional, 帳 variant"},
    {"q": "我的包裹顯示簽收了但是沒收到", "relevant": ["package-signed-not-received", "complaint-courier"],
     "note": "Traditional"},
    # --- English sentences --------------------------------------------------------------------------
    {"q": "I forgot my password and the text message code never comes", "relevant": ["en-sms-code-login"],
     "note": "the English thread of SMS codes not arriving"},
    {"q": "my account got locked after typing the wrong password", "relevant": ["en-account-suspended",
                                                                              "locked-wrong-password"],
     "note": "locked out; the English suspended thread and the Simplified lock thread"},
    {"q": "google authenticator keeps saying my code is invalid", "relevant": ["en-2fa-code-invalid"],
     "note": "2FA codes rejected"},
    {"q": "I changed my email and now I can't sign in", "relevant": ["en-cannot-login"],
     "note": "login after e-mail change"},
    {"q": "someone hacked my account and placed orders", "relevant": ["account-hacked"],
     "note": "stolen account (the Chinese thread, through the synonym groups)"},
    {"q": "how do I delete my account", "relevant": ["delete-account"], "note": "注销 = delete account"},
    {"q": "the password reset email never shows up", "relevant": ["en-password-reset-email"],
     "note": "reset mail missing"},
    {"q": "my package says delivered but I never got it", "relevant": ["package-signed-not-received",
                                                                      "complaint-courier"],
     "note": "delivered, not received (cross-language)"},
    {"q": "they sent me the wrong item, how do I send it back", "relevant": ["en-wrong-item"],
     "note": "wrong item"},
    {"q": "I want to cancel my order before it ships", "relevant": ["en-cancel-order"], "note": "cancel order"},
    {"q": "the tracking number doesn't work on the courier site", "relevant": ["en-tracking-number"],
     "note": "tracking not found"},
    {"q": "my order has been processing for days and still not shipped", "relevant": ["en-order-stuck-processing"],
     "note": "seller not shipping"},
    {"q": "I got charged two times for one order", "relevant": ["en-double-charge", "double-charge"],
     "note": "duplicate charge"},
    {"q": "payment didn't go through but the money was taken", "relevant": ["en-payment-failed-deducted"],
     "note": "failed payment, money deducted"},
    {"q": "my visa card from abroad keeps getting declined", "relevant": ["en-foreign-card-declined"],
     "note": "foreign card"},
    {"q": "my refund was approved but the money never arrived", "relevant": ["en-refund-not-received"],
     "note": "refund not arrived"},
    {"q": "the refund went to a card I already closed", "relevant": ["en-refund-closed-card"],
     "note": "refund to a closed card"},
    {"q": "where can I get a VAT invoice for my order", "relevant": ["en-vat-invoice"], "note": "VAT invoice"},
    {"q": "I redeemed a gift card but the balance didn't change", "relevant": ["en-gift-card"],
     "note": "gift card balance"},
    {"q": "the discount code is not accepted at checkout", "relevant": ["en-promo-code-invalid"],
     "note": "promo code invalid"},
    {"q": "I cancelled my plus membership but was still charged", "relevant": ["en-membership-charged-after-cancel"],
     "note": "charged after cancelling"},
    {"q": "the app closes itself whenever I open my orders", "relevant": ["en-app-crash-orders"],
     "note": "crash on My orders"},
    {"q": "after updating the app I only see a blank screen", "relevant": ["en-app-white-screen"],
     "note": "white screen"},
    {"q": "how do I switch the app to english", "relevant": ["en-change-language"], "note": "app language"},
    {"q": "customer support has not replied to my ticket for a week", "relevant": ["en-support-no-reply"],
     "note": "no reply from support"},
    {"q": "how can I connect my paypal to my account", "relevant": ["en-link-paypal"], "note": "link PayPal"},
]

def seed(services_module, author, answerer=None, posts: Iterable[dict[str, Any]] = POSTS) -> dict[str, int]:
    """Post every thread through `services_module` (forum.questions.services); returns key → question id.

    Questions are asked by `author`, answers posted by `answerer` (default: the author)."""
    answerer = answerer or author
    ids: dict[str, int] = {}
    for post in posts:
        question = services_module.ask_question(author, title=post["title"], body=post["body"],
                                                tags=list(post["tags"]), category=post["category"])
        ids[post["key"]] = question.id
        for body in post["answers"]:
            services_module.post_answer(answerer, question.id, body=body)
    return ids


def _threads(results) -> list[tuple[int, str]]:
    """Distinct threads of a result list, in order: (question id, title)."""
    hits = getattr(results, "hits", results)
    seen: dict[int, str] = {}
    for hit in hits:
        if hit.question_id not in seen:
            seen[hit.question_id] = hit.title
    return list(seen.items())


def evaluate(search_fn: Callable[[str], Any], key_to_question_id: dict[str, int],
             queries: Iterable[dict[str, Any]] = QUERIES, k: int = K) -> dict[str, Any]:
    """Recall@k and MRR over distinct threads.

    `search_fn(q)` returns search results (an object with `.hits`, or a list of hits), each hit
    having `.question_id` and `.title`; ask it for enough hits that k distinct threads show up."""
    id_to_key = {qid: key for key, qid in key_to_question_id.items()}
    details = []
    for query in queries:
        threads = _threads(search_fn(query["q"]))
        ranked = [qid for qid, _ in threads]
        relevant_ids = {key_to_question_id[key] for key in query["relevant"]}
        found = [key for key in query["relevant"] if key_to_question_id[key] in ranked[:k]]
        first = next((rank for rank, qid in enumerate(ranked, 1) if qid in relevant_ids), None)
        details.append({
            "q": query["q"],
            "relevant": list(query["relevant"]),
            "found": found,
            "missing": [key for key in query["relevant"] if key not in found],
            "recall": len(found) / len(query["relevant"]),
            "reciprocal_rank": 1 / first if first else 0.0,
            "first_relevant_rank": first,
            "top": [{"question_id": qid, "key": id_to_key.get(qid), "title": title} for qid, title in threads[:k]],
            "total_threads": len(ranked),
            "note": query.get("note", ""),
        })
    n = len(details) or 1
    return {
        f"recall_at_{k}": sum(d["recall"] for d in details) / n,
        "mrr": sum(d["reciprocal_rank"] for d in details) / n,
        "queries": details,
    }


def format_misses(report: dict[str, Any]) -> str:
    """One paragraph per query whose recall is below 1: what was expected, what came first."""
    lines = []
    for d in report["queries"]:
        if d["recall"] >= 1:
            continue
        rank = d["first_relevant_rank"]
        lines.append(f"{d['q']!r}: recall {d['recall']:.2f}, first relevant at {rank or '-'}; "
                     f"missing {', '.join(d['missing'])}")
        if not d["top"]:
            lines.append("    (no results)")
        for position, top in enumerate(d["top"], 1):
            mark = "*" if top["key"] in d["relevant"] else " "
            lines.append(f"    {position}.{mark} [{top['key']}] {top['title']}")
    return "\n".join(lines)
