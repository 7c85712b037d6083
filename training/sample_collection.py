"""Render the bundled sample collection (datasets/sample_collection) from generated records.

The texts come from ``training.synth.generate_documents`` (synthetic archival records with
gold spans and decisions); this module only turns them into the files an archive really holds:
plain text in UTF-8, GB18030 and Big5, Word documents (one with a table), PDFs with a text
layer, a scanned-only PDF and scanned images (PNG, TIFF, JPEG) with mild noise and skew, plus
the catalogue CSV (目录) that describes them. Output is deterministic for a given seed (fixed
zip timestamps in .docx, ``invariant`` reportlab PDFs, seeded noise).

Big5 files are traditional-Chinese records (Big5 cannot encode simplified characters); their
texts are written here, in the style of cross-strait and Hong Kong correspondence of the 1980s.

Usage: python -m training.sample_collection [--out datasets/sample_collection] [--seed 20261124]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "datasets" / "sample_collection"
DEFAULT_SEED = 20261124
FONDS = "J012"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
#: training.synth genre codes -> the Chinese word used in file names (the catalogue keeps the code,
#: which is what the decision model reads as ``meta["genre"]``).
GENRE_NAMES = {"commercial": "商务", "contract": "合同", "court": "司法", "household": "户籍", "medical": "医疗",
               "minutes": "会议纪要", "personnel": "人事", "petition": "信访", "public": "公告", "secret": "涉密",
               "security": "治安"}

#: Traditional-Chinese records for the Big5 files (written for this collection; fictitious).
BIG5_RECORDS = [
    {"title": "關於香港同胞回鄉探親接待工作的函", "creator": "福州市人民政府僑務辦公室", "date": "1984年6月12日",
     "classification": "", "genre": "函",
     "text": "關於香港同胞回鄉探親接待工作的函\n\n各區僑辦：\n近期香港同胞回鄉探親人數增多，為做好接待工作，現將有關事項函告如下：\n"
             "一、各區應安排專人負責登記，接待地點設在區僑聯辦公室。\n二、探親人員住宿問題，由各區協調解決，不得收取額外費用。\n"
             "三、接待中發現的問題，請及時報告市僑辦。\n\n福州市人民政府僑務辦公室\n一九八四年六月十二日"},
    {"title": "臺胞陳國華先生尋親來信及答覆", "creator": "福州市臺灣同胞聯誼會", "date": "1987-11-03",
     "classification": "", "genre": "信函",
     "text": "臺胞陳國華先生尋親來信及答覆\n\n陳國華先生：\n來信收悉。您所詢問的令堂林秀英女士，經我會協助查找，"
             "現居福州市倉山區，身體健康。其聯繫電話為０５９１－８３２１４５６７。\n我會願意為您回鄉探親提供必要的協助。\n\n"
             "福州市臺灣同胞聯誼會\n一九八七年十一月三日"},
    {"title": "關於澳門商人投資興辦企業有關問題的批覆", "creator": "福州市對外經濟貿易委員會", "date": "19880520",
     "classification": "內部", "genre": "批覆",
     "text": "關於澳門商人投資興辦企業有關問題的批覆\n\n馬尾區經委：\n你委《關於澳門商人黃志明投資興辦電子廠的請示》收悉。"
             "經研究，同意該項目在馬尾經濟技術開發區興辦，註冊資本為港幣三百萬元。\n企業的用地、用工等事項，請按照有關規定辦理。\n\n"
             "內部資料　注意保存\n福州市對外經濟貿易委員會\n一九八八年五月二十日"},
]

#: Fallback texts used only when training.synth is not importable (kept so the renderer and its
#: tests work on their own); the committed collection is rendered from training.synth.
FALLBACK_RECORDS = [
    {"title": "关于做好一九八六年度档案移交工作的通知", "creator": "福州市档案局", "date": "1986-03-15",
     "classification": "", "genre": "通知",
     "text": "关于做好一九八六年度档案移交工作的通知\n\n各县（市）区档案馆，市直各单位：\n为做好一九八六年度档案移交工作，现将有关事项通知如下：\n"
             "一、移交范围为一九七六年以前形成的永久、长期档案。\n二、移交前应完成案卷整理和目录编制。\n"
             "三、联系人：王秀英，电话０５９１－８７６５４３２１。\n\n福州市档案局\n一九八六年三月十五日"},
    {"title": "林碧军同志奖惩情况的调查报告", "creator": "福州市第二轻工业局", "date": "1983年9月2日",
     "classification": "秘密", "genre": "报告",
     "text": "林碧军同志奖惩情况的调查报告\n\n局党委：\n经调查，林碧军，男，身份证号350102195003154511，住福州市鼓楼区杨桥路18号3栋502室。"
             "该同志于一九八二年因工作失误，给予党内严重警告处分。\n\n秘密★10年\n调查组\n一九八三年九月二日"},
    {"title": "市第一医院关于职工健康检查情况的报告", "creator": "福州市第一医院", "date": "19850610",
     "classification": "", "genre": "报告",
     "text": "市第一医院关于职工健康检查情况的报告\n\n市卫生局：\n本年度共检查职工一千二百人，发现患有慢性病者八十六人。"
             "其中张建国同志确诊为肺结核，已安排住院治疗。\n\n福州市第一医院\n一九八五年六月十日"},
    {"title": "马尾区一九八七年农业生产情况统计", "creator": "马尾区农业局", "date": "1987",
     "classification": "", "genre": "统计表",
     "text": "马尾区一九八七年农业生产情况统计\n\n全区粮食播种面积三万二千亩，总产一万四千吨，比上年增长百分之六。"
             "水产品产量八千吨。\n\n马尾区农业局"},
]


@dataclass
class PlannedFile:
    record: dict
    kind: str  # txt | docx | docx_table | pdf | pdf_multi | pdf_scanned | png | tif | jpg
    encoding: str = "utf-8"
    filename: str = ""
    reference_code: str = ""
    catalogued: bool = True
    name_style: str = "code"  # code | code_in_name | filename_column


# --------------------------------------------------------------------------- fonts


def cjk_font_path() -> Path:
    """A TrueType/OpenType font with Chinese glyphs, or RuntimeError with what to install."""
    env = os.environ.get("KAIFANG_CJK_FONT")
    for cand in ([env] if env else []) + list(FONT_CANDIDATES):
        if cand and Path(cand).is_file():
            return Path(cand)
    raise RuntimeError("no CJK font found: apt-get install -y fonts-wqy-zenhei (or set KAIFANG_CJK_FONT)")


def _pil_font(size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(cjk_font_path()), size)


def _reportlab_font() -> str:
    """Register WenQuanYi with reportlab if present, else the built-in CID font STSong-Light."""
    from reportlab.pdfbase import pdfmetrics

    try:
        path = cjk_font_path()
        if "wqy" in path.name:
            from reportlab.pdfbase.ttfonts import TTFont

            if "WQYZenHei" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("WQYZenHei", str(path), subfontIndex=0))
            return "WQYZenHei"
    except RuntimeError:
        pass
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


# --------------------------------------------------------------------------- writers


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def write_txt(path: Path, text: str, encoding: str) -> None:
    """Write text in the given encoding with Windows line endings for the legacy encodings."""
    body = text.replace("\n", "\r\n") if encoding in ("gb18030", "gbk", "big5") else text
    _atomic_write_bytes(path, body.encode(encoding))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (a .docx) with fixed timestamps and order, so renders are byte-identical."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def write_docx(path: Path, text: str, table: list[list[str]] | None = None, page_break_after: int | None = None) -> None:
    """A Word document: first line as heading, then paragraphs; an optional table after the
    second paragraph, and an optional page break after paragraph ``page_break_after``."""
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.core_properties.created = datetime(2026, 1, 1)
    d.core_properties.modified = datetime(2026, 1, 1)
    d.core_properties.last_modified_by = "kaifang"
    d.core_properties.author = "kaifang"
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i == 0:
            d.add_heading(line, level=1)
        else:
            p = d.add_paragraph(line)
            if page_break_after is not None and i == page_break_after:
                p.add_run().add_break(WD_BREAK.PAGE)
        if table and i == 2:
            t = d.add_table(rows=len(table), cols=len(table[0]))
            t.style = "Table Grid"
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
    buf = io.BytesIO()
    d.save(buf)
    _atomic_write_bytes(path, _normalise_zip(buf.getvalue()))


def _wrap(text: str, width: float, measure) -> list[str]:
    """Wrap each paragraph of ``text`` to ``width`` (CJK wraps between any two characters)."""
    out: list[str] = []
    for para in text.split("\n"):
        if not para:
            out.append("")
            continue
        line = ""
        for ch in para:
            if line and measure(line + ch) > width:
                out.append(line)
                line = ch
            else:
                line += ch
        out.append(line)
    return out


def write_text_pdf(path: Path, pages: list[str], title: str = "") -> None:
    """A PDF with a real text layer, one string per page (wrapped to A4)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = _reportlab_font()
    size = 12
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    w, h = A4
    margin = 60
    for page in pages:
        y = h - margin
        for line in _wrap(page, w - 2 * margin, lambda s: stringWidth(s, font, size)):
            if y < margin:
                c.showPage()
                y = h - margin
            c.setFont(font, size)
            c.drawString(margin, y, line)
            y -= size * 1.7
        c.showPage()
    c.save()
    _atomic_write_bytes(path, buf.getvalue())


def write_encrypted_pdf(path: Path, text: str, user_password: str = "kaifang") -> None:
    """A text PDF that needs a password to open (for tests of the encrypted-file path)."""
    from reportlab.lib import pdfencrypt
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _reportlab_font()
    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner-" + user_password, strength=128)
    c = canvas.Canvas(buf, pagesize=A4, encrypt=enc)
    c.setFont(font, 12)
    c.drawString(60, 760, text)
    c.showPage()
    c.save()
    _atomic_write_bytes(path, buf.getvalue())


def render_scan(text: str, seed: int, width: int = 900, font_size: int = 26, noise: float = 0.004,
                max_angle: float = 0.8):
    """Render text as a grey scanned page: margins, mild skew, speckles and slight blur."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    font = _pil_font(font_size)
    margin = 50
    measure = lambda s: font.getlength(s)  # noqa: E731
    lines = _wrap(text, width - 2 * margin, measure)
    line_h = int(font_size * 1.6)
    height = max(int(width * 1.2), 2 * margin + line_h * len(lines))
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * line_h), line, font=font, fill=rng.randint(0, 40))
    angle = rng.uniform(-max_angle, max_angle)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(radius=0.5))
    arr = np.array(img, dtype=np.uint8)
    nrng = np.random.default_rng(seed)
    mask = nrng.random(arr.shape) < noise
    arr[mask] = nrng.integers(0, 160, size=int(mask.sum()), dtype=np.uint8)
    arr = np.clip(arr.astype(np.int16) + 8, 0, 255).astype(np.uint8)  # paper is slightly grey-white
    arr[arr > 235] = 240
    return Image.fromarray(arr, mode="L")


def write_image(path: Path, image, kind: str) -> None:
    buf = io.BytesIO()
    if kind == "png":
        image.save(buf, "PNG", optimize=True)
    elif kind == "jpg":
        image.save(buf, "JPEG", quality=75)
    elif kind == "tif":
        image.point(lambda v: 255 if v > 150 else 0).convert("1").save(buf, "TIFF", compression="group4")
    else:
        raise ValueError(f"unknown image kind {kind}")
    _atomic_write_bytes(path, buf.getvalue())


def write_scanned_pdf(path: Path, images: list) -> None:
    """A PDF whose pages are only images (no text layer), as a scanner produces."""
    import time

    fixed = time.strptime("2026-01-01", "%Y-%m-%d")  # Pillow writes struct_time as a PDF date
    buf = io.BytesIO()
    first, rest = images[0].convert("L"), [im.convert("L") for im in images[1:]]
    first.save(buf, "PDF", save_all=True, append_images=rest, resolution=110.0,
               creationDate=fixed, modDate=fixed, producer="kaifang", creator="kaifang")
    _atomic_write_bytes(path, buf.getvalue())


# --------------------------------------------------------------------------- the collection


def _load_records(n: int, seed: int) -> tuple[list[dict], str]:
    try:
        from training.synth import generate_documents
    except ImportError:
        recs = []
        for i in range(n):
            base = FALLBACK_RECORDS[i % len(FALLBACK_RECORDS)]
            # distinct content per file, or ingestion would (rightly) call the copies duplicates
            recs.append(dict(base, id=f"fallback-{i}", text=base["text"] + f"\n（卷内顺序号：{i + 1}）"))
        return recs, "fallback texts (training.synth not available)"
    return generate_documents(n, seed, split="test"), "training.synth.generate_documents(split='test')"


def _split_pages(text: str, parts: int) -> list[str]:
    """Split a text into ``parts`` pages at paragraph boundaries (for multi-page files)."""
    paras = text.split("\n")
    if len(paras) < parts:
        return [text]
    size = math.ceil(len(paras) / parts)
    return ["\n".join(paras[i:i + size]) for i in range(0, len(paras), size)]


def plan_collection(seed: int = DEFAULT_SEED, n: int = 36) -> tuple[list[PlannedFile], str]:
    """Decide which record becomes which file, in which encoding, named how."""
    synth, source = _load_records(n - len(BIG5_RECORDS), seed)
    rng = random.Random(seed)
    kinds = (["txt"] * 14 + ["docx", "docx_table", "docx", "docx", "docx"] + ["pdf", "pdf", "pdf", "pdf_multi"]
             + ["pdf_scanned"] + ["png", "png", "tif", "jpg"])
    kinds = kinds[: len(synth)] + ["txt"] * max(0, len(synth) - len(kinds))
    plan: list[PlannedFile] = []
    txt_encodings = ["utf-8", "gb18030", "utf-8", "gb18030", "utf-8-sig"]
    for i, (rec, kind) in enumerate(zip(synth, kinds)):
        enc = txt_encodings[i % len(txt_encodings)] if kind == "txt" else ""
        plan.append(PlannedFile(record=rec, kind=kind, encoding=enc))
    for rec in BIG5_RECORDS:
        plan.append(PlannedFile(record=dict(rec), kind="txt", encoding="big5"))
    rng.shuffle(plan)
    suffix = {"txt": ".txt", "docx": ".docx", "docx_table": ".docx", "pdf": ".pdf", "pdf_multi": ".pdf",
              "pdf_scanned": ".pdf", "png": ".png", "tif": ".tif", "jpg": ".jpg"}
    for i, pf in enumerate(plan, start=1):
        code = f"{FONDS}-{(i - 1) // 12 + 1:03d}-{i:04d}"
        pf.reference_code = code
        ext = suffix[pf.kind]
        style = ("code", "code", "code_in_name", "filename_column")[i % 4]
        pf.name_style = style
        folder = {".txt": "text", ".docx": "word", ".pdf": "pdf"}.get(ext, "scans")
        genre = pf.record.get("genre") or ""
        word = GENRE_NAMES.get(genre, genre) or "文件"
        if style == "code":
            pf.filename = f"{folder}/{code}{ext}"
        elif style == "code_in_name":
            pf.filename = f"{folder}/{code}_{word}{ext}"
        else:
            pf.filename = f"{folder}/{word}_{i:02d}{ext}"
    # One file the catalogue forgot (reported as an unmatched file on ingest).
    plan[-1].catalogued = False
    return plan, source


def _table_for(record: dict) -> list[list[str]]:
    year = record.get("year") or 1986
    return [["序号", "项目", "数量", "备注"],
            ["1", f"{year}年度文书档案", "126卷", "永久"],
            ["2", f"{year}年度会计档案", "48卷", "长期"],
            ["3", "照片档案", "310张", "附说明"]]


def render_collection(out: Path = DEFAULT_OUT, seed: int = DEFAULT_SEED, n: int = 36) -> dict:
    """Render every file, the catalogue and a manifest into ``out`` (replaced atomically)."""
    out = Path(out)
    plan, source = plan_collection(seed, n)
    tmp = Path(tempfile.mkdtemp(prefix=".sample-", dir=out.parent if out.parent.exists() else None))
    os.chmod(tmp, 0o755)
    docs = tmp / "documents"
    try:
        for i, pf in enumerate(plan):
            rec = pf.record
            text = rec["text"]
            path = docs / pf.filename
            if pf.kind == "txt":
                write_txt(path, text, pf.encoding or "utf-8")
            elif pf.kind in ("docx", "docx_table"):
                write_docx(path, text, table=_table_for(rec) if pf.kind == "docx_table" else None)
            elif pf.kind in ("pdf", "pdf_multi"):
                write_text_pdf(path, _split_pages(text, 2) if pf.kind == "pdf_multi" else [text], title=rec.get("title", ""))
            elif pf.kind == "pdf_scanned":
                pages = _split_pages(text, 2)
                write_scanned_pdf(path, [render_scan(p, seed + i * 10 + k, width=800) for k, p in enumerate(pages)])
            else:
                write_image(path, render_scan(text, seed + i, width=820 if pf.kind != "tif" else 1000), pf.kind)
        _write_catalogue(tmp / "catalogue.csv", plan)
        manifest = {
            "seed": seed, "n": len(plan), "text_source": source,
            "files": [{"file": pf.filename, "reference_code": pf.reference_code if pf.catalogued else None,
                       "kind": pf.kind, "encoding": pf.encoding or None, "record_id": pf.record.get("id"),
                       "synthetic_reference_code": pf.record.get("reference_code"),
                       "genre": pf.record.get("genre", ""), "decision": pf.record.get("decision")}
                      for pf in plan],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _write_gold(tmp / "gold.jsonl", plan)
        card = out / "DATACARD.md"
        if card.exists():
            shutil.copy2(card, tmp / "DATACARD.md")
        if out.exists():
            old = out.with_name(out.name + ".old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _catalogue_date(value: str, i: int) -> str:
    """Write ISO dates the way different catalogue generations did: 1987-03-15, 1987年3月15日, 19870315."""
    import re

    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not m:
        return value or ""
    y, mo, d = m.groups()
    style = i % 3
    if style == 1:
        return f"{y}年{int(mo)}月{int(d)}日"
    if style == 2:
        return f"{y}{mo}{d}"
    return value


def _write_catalogue(path: Path, plan: list[PlannedFile]) -> None:
    """目录 in UTF-8 with BOM (as Excel writes it); one row has no file (a record not yet scanned)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["全宗号", "档号", "题名", "责任者", "日期", "密级", "类别", "文件名"])
    for i, pf in enumerate(plan):
        if not pf.catalogued:
            continue
        rec = pf.record
        w.writerow([FONDS, pf.reference_code, rec.get("title", ""), rec.get("creator", ""),
                    _catalogue_date(rec.get("date", ""), i),
                    rec.get("classification", ""), rec.get("genre", ""),
                    pf.filename.split("/")[-1] if pf.name_style == "filename_column" else ""])
    w.writerow([FONDS, f"{FONDS}-009-9999", "关于征集散存档案的通知（原件待补扫）", "福州市档案局", "1989年12月",
                "", "通知", ""])
    _atomic_write_bytes(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))


def _write_gold(path: Path, plan: list[PlannedFile]) -> None:
    """Gold spans and decisions (SCHEMA.md JSON Lines) for the generated records, keyed by 档号.

    Offsets index the record text; for .txt files that is exactly the ingested text, for other
    formats layout (headings, wrapping, OCR) changes it, so match by ``file`` and compare texts.
    """
    keys = ("spans", "decision", "reasons", "closure", "review_after", "redact", "genre", "year")
    lines = []
    for pf in plan:
        rec = pf.record
        if "spans" not in rec:
            continue  # the hand-written Big5 records carry no annotations
        row = {"id": pf.reference_code, "file": pf.filename, "text": rec["text"]}
        row.update({k: rec[k] for k in keys if k in rec})
        lines.append(json.dumps(row, ensure_ascii=False, sort_keys=False))
    _atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("-n", type=int, default=36, help="number of documents (default 36)")
    args = ap.parse_args(argv)
    if args.n < 12:
        ap.error("-n must be at least 12 (the plan needs every file kind)")
    manifest = render_collection(args.out, args.seed, args.n)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"rendered {manifest['n']} documents into {args.out} ({size / 1e6:.2f} MB; texts: {manifest['text_source']})")


if __name__ == "__main__":
    main()
