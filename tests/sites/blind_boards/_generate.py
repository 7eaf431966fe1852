# -*- coding: utf-8 -*-
"""Regenerate the ten blind test boards under this folder.

    python3 _generate.py        # rewrites every board folder + expected.json
    python3 _verify.py          # checks the result

Markup is written from general knowledge of public CMS templates (hanweb
JCMS, TRS WCM, 集约化平台, Discuz!, ASP.NET WebForms, JSP, old ASP CMS,
12345 platforms, 开普云, Dreamweaver-era table sites); every letter, name,
place and number is fictional (see letters_pool.py).
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from _gen_common import HERE
import _gen_boards1 as B1
import _gen_boards2 as B2
import _gen_boards3 as B3

BUILDERS = [B1.board_hanweb, B1.board_trs, B1.board_jyh, B2.board_discuz, B2.board_aspnet,
            B2.board_jsp, B3.board_oldasp, B3.board_12345, B3.board_kaipu, B3.board_dwtable]


def main():
    boards = []
    for fn in BUILDERS:
        boards.append(fn())
    for b in boards:
        print("%-14s %-7s pages=%d letters=%d pending=%d" % (
            b.name, b.encoding, len(b.list_pages), len(b.letters), sum(1 for l in b.letters if l["reply"] is None)))


if __name__ == "__main__":
    # start from clean board folders (only the ones this script owns)
    for d in ["hanweb_szxx", "trs_xzxx", "jyh_lyb", "discuz_wz", "aspnet_qzxx", "jsp_ldxx", "oldasp_sjxx",
              "wz12345", "kaipu_xzxx", "dw_szrx"]:
        p = os.path.join(HERE, d)
        if os.path.isdir(p):
            shutil.rmtree(p)
    main()
