"""Letter pages as servers get them wrong, each a start URL of the gov-letters profile."""


def letter(title, text, charset):
    return (f'<html><head><meta charset="{charset}"><title>{title}</title></head><body>'
            f'<table class="letter-detail"><tr><th>标题</th><td>{title}</td></tr>'
            f'<tr><th>来信时间</th><td>2026-03-02 08:30</td></tr>'
            f'<tr><th>内容</th><td>{text}</td></tr></table></body></html>').encode(charset)


# One byte of a three-byte UTF-8 character lost in transit: the rest of the page is fine.
BROKEN = letter("路灯不亮", "小区路灯坏了一个月，晚上出门很不方便，希望尽快修好。", "utf-8").replace(
    "不方便".encode(), "不方便".encode()[:-1], 1)
ROUTES = {
    "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
    "/broken.html": (200, {"Content-Type": "text/html; charset=utf-8"}, BROKEN),
    # GBK with its own <meta>, sent with the servlet default charset: the meta wins.
    "/gbk_meta.html": (200, {"Content-Type": "text/html;charset=ISO-8859-1"},
                       letter("集市占道", "镇上集市占道经营，车辆过不去。", "gbk")),
    # A letter the board shows only to its writer.
    "/private.html": (401, {"Content-Type": "text/html; charset=utf-8", "WWW-Authenticate": 'Basic realm="letters"'},
                      b"<html><body>401</body></html>"),
}
