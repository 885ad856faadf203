"""The new part of a reply: quoted history and signatures cut off.

Written here rather than taken from a library: of the maintained reply parsers, mail-parser-reply
(1.36) has a Chinese rule that can never match ("在 2026年12月1日 … 写道：" stays in; its pattern
starts with a negative look-ahead for itself), leaves "-----原始邮件-----" and Foxmail's
"------------------ 原始邮件 ------------------" lines in the reply and keeps "-- " signatures;
quotequail (0.5) knows no Chinese client at all; email-reply-parser has had no release since 2020 and
is English only. What is needed is small: cut at the first line that starts the quoted history, in
the shapes Chinese and English clients write it, then cut a signature at the end.

The history starts at the first of:
- an attribution line: "On <date>, <name> <address> wrote:" (Gmail, Apple Mail, Thunderbird; the
  address may wrap onto the next line), "在 2026年12月1日 周二 10:30，<name> 写道：" (Gmail, Apple
  Mail in Chinese), "<name> 于2026年12月1日 周二 10:30写道：" (QQ Mail, NetEase);
- a separator line: "-----Original Message-----", "-----原始邮件-----" (Outlook), "------------------
  原始邮件 ------------------" (Foxmail, QQ), "---- Replied Message ----" / "---- 回复的原邮件 ----"
  (NetEase), "---------- Forwarded message ---------", a line of underscores (Outlook);
- Outlook's header block: "From:" / "发件人:" followed within four lines by "Sent:", "Date:", "To:",
  "Subject:" (or 发送时间, 日期, 收件人, 主题), in either colon;
- a run of ">" lines that continues to the end.
Signatures: the RFC 3676 delimiter "-- " (or "--") and everything after it; a final "Sent from my
iPhone", "Get Outlook for iOS", "发自我的iPhone", "发自网易邮箱大师" and the like.
"""
from __future__ import annotations

import re

_COLON = "[:：]"
_ATTRIBUTION = [
    re.compile(r"^\s*On\b.{4,300}\bwrote\s*:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*在.{2,300}写道\s*[:：]?\s*$", re.DOTALL),
    re.compile(r"^.{0,200}于\s*\d{4}.{0,100}写道\s*[:：]?\s*$", re.DOTALL),
    re.compile(r"^\s*Am\b.{4,300}\bschrieb.{0,100}:\s*$", re.DOTALL),
    re.compile(r"^\s*Le\b.{4,300}\ba écrit\s*:\s*$", re.DOTALL),
]
# How the first line of a wrapped attribution begins.
_ATTRIBUTION_START = re.compile(r"^\s*(On\b|在|Am\b|Le\b|.{0,200}于\s*\d{4})", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(Original Message|Forwarded message|Replied Message|原始邮件|原邮件|回复的原邮件|转发邮件|"
    r"Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$", re.IGNORECASE)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_FROM = re.compile(r"^\s*\*?\s*(From|发件人|寄件者)\s*\*?\s*" + _COLON, re.IGNORECASE)
_HEADER = re.compile(r"^\s*\*?\s*(Sent|Date|To|Subject|Cc|发送时间|日期|时间|收件人|主题|抄送)\s*\*?\s*" + _COLON, re.IGNORECASE)
_SIGNATURE = re.compile(r"^--\s?$")
_SENT_FROM = re.compile(
    r"^\s*(Sent from my \S.{0,40}|Sent from (Mail|Outlook|Yahoo Mail).{0,40}|Get Outlook for \S.{0,30}|"
    r"发自我的\s*\S.{0,20}|发自\s*\S{1,20}(邮箱|邮件|Mail).{0,10}|来自\s*\S{1,20}(邮箱|邮件|客户端).{0,10}|"
    r"从我的\s*\S.{0,20}发送)\s*$", re.IGNORECASE)


def _starts_history(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _SEPARATOR.match(line):
        return True
    if _UNDERSCORES.match(line):
        return any(_FROM.match(nxt) for nxt in lines[i + 1:i + 4])
    if _FROM.match(line) and sum(1 for nxt in lines[i + 1:i + 5] if _HEADER.match(nxt)) >= 1:
        return True
    # An attribution line, or one wrapped over up to three lines ("... <\nticket+...@x> wrote:").
    for span in (1, 2, 3):
        if i + span > len(lines):
            break
        if not lines[i + span - 1].strip():
            break  # an attribution never wraps over a blank line
        joined = " ".join(part.strip() for part in lines[i:i + span])
        if span > 1 and not _ATTRIBUTION_START.match(lines[i]):
            break
        if any(rule.match(joined) for rule in _ATTRIBUTION):
            return True
    return False


def latest_reply(text: str) -> str:
    """The text above the quoted history, without the signature; "" when nothing new was written."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").split("\n")
    cut = len(lines)
    for i in range(len(lines)):
        if _starts_history(lines, i):
            cut = i
            break
    lines = lines[:cut]
    # Quoted lines at the end (a client that quotes without an attribution line).
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    for i, line in enumerate(lines):
        if _SIGNATURE.match(line):
            lines = lines[:i]
            break
    # A "sent from my phone" line among the last few.
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content[-3:]:
        if _SENT_FROM.match(lines[i]):
            lines = lines[:i]
            break
    return "\n".join(line.rstrip() for line in lines).strip()
