"""The catalogue CSV: encodings, Chinese and English headers, dates, matching rows to files."""
from __future__ import annotations

import pytest

from review_app.ingest.catalogue import match_files, parse_date, read_catalogue
from review_app.ingest.errors import CatalogueError


@pytest.mark.parametrize("raw,expected", [
    ("1987", ("1987", 1987)),
    ("1987-03-15", ("1987-03-15", 1987)),
    ("1987/3/5", ("1987-03-05", 1987)),
    ("1987.03", ("1987-03", 1987)),
    ("1987年3月15日", ("1987-03-15", 1987)),
    ("1987年", ("1987", 1987)),
    ("19870315", ("1987-03-15", 1987)),
    ("一九八七年三月十五日", ("1987-03-15", 1987)),
    ("一九五〇年十二月", ("1950-12", 1950)),
    ("１９８７－０３－１５", ("1987-03-15", 1987)),
    ("1987-02-30", ("1987-02-30", 1987)),  # impossible day: kept as written, year still known
    ("约五十年代", ("约五十年代", None)),
    ("", ("", None)),
])
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


CSV_CN = ("全宗号,档号,题名,责任者,日期,密级,文件名\n"
          "J012,J012-001-0001,关于档案移交的通知,福州市档案局,1986年3月15日,,\n"
          "J012,J012-001-0002,调查报告,福州市轻工业局,19830902,秘密,\n"
          "J012,J012-001-0003,会议纪要,市政府办公厅,1985,内部,会议纪要_1985.docx\n"
          "J012,J012-001-0012,未扫描的案卷,市政府办公厅,1989,,\n")


def test_read_catalogue_utf8_bom_and_gb18030(tmp_path):
    for enc, prefix in (("utf-8", "\ufeff"), ("utf-8", ""), ("gb18030", "")):
        p = tmp_path / f"cat-{enc}-{bool(prefix)}.csv"
        p.write_bytes((prefix + CSV_CN).encode(enc))
        rows = read_catalogue(p)
        assert [r.reference_code for r in rows] == ["J012-001-0001", "J012-001-0002", "J012-001-0003",
                                                    "J012-001-0012"]
        assert rows[0].title == "关于档案移交的通知" and rows[0].date_text == "1986-03-15" and rows[0].year == 1986
        assert rows[1].classification == "秘密" and rows[2].filename == "会议纪要_1985.docx"
        assert rows[0].fonds_code == "J012" and rows[0].raw["题名"] == "关于档案移交的通知"


def test_read_catalogue_english_headers(tmp_path):
    p = tmp_path / "cat.csv"
    p.write_text("reference_code,title,creator,date,classification,filename\n"
                 "A-1,Report,Office,1990-01-02,,a1.txt\n", encoding="utf-8")
    (row,) = read_catalogue(p)
    assert (row.reference_code, row.title, row.date_text, row.filename) == ("A-1", "Report", "1990-01-02", "a1.txt")


def test_read_catalogue_rejects_unusable_files(tmp_path):
    with pytest.raises(CatalogueError, match="not found"):
        read_catalogue(tmp_path / "missing.csv")
    p = tmp_path / "nocode.csv"
    p.write_text("题名,日期\n通知,1987\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="档号"):
        read_catalogue(p)
    e = tmp_path / "empty.csv"
    e.write_text("", encoding="utf-8")
    with pytest.raises(CatalogueError, match="empty"):
        read_catalogue(e)


def test_match_by_stem_code_in_name_and_filename(tmp_path):
    p = tmp_path / "cat.csv"
    p.write_text(CSV_CN, encoding="utf-8")
    rows = read_catalogue(p)
    files = ["text/J012-001-0001.txt",          # stem is the 档号
             "scans/J012-001-0002_扫描件.png",   # 档号 inside the name
             "word/会议纪要_1985.docx",          # 文件名 column
             "text/J012-001-00012.txt",          # a different code: must not match 0001 or 0012
             "text/其他材料.txt"]
    m = match_files(rows, files)
    assert m.by_file["text/J012-001-0001.txt"].reference_code == "J012-001-0001"
    assert m.by_file["scans/J012-001-0002_扫描件.png"].reference_code == "J012-001-0002"
    assert m.by_file["word/会议纪要_1985.docx"].reference_code == "J012-001-0003"
    assert m.unmatched_files == ["text/J012-001-00012.txt", "text/其他材料.txt"]
    assert [r.reference_code for r in m.unmatched_rows] == ["J012-001-0012"]


def test_longer_code_wins_over_its_prefix(tmp_path):
    p = tmp_path / "cat.csv"
    p.write_text("档号,题名\nJ1-1,短\nJ1-1-2,长\n", encoding="utf-8")
    m = match_files(read_catalogue(p), ["J1-1-2 scan.png", "J1-1 scan.png"])
    assert m.by_file["J1-1-2 scan.png"].title == "长"
    assert m.by_file["J1-1 scan.png"].title == "短"
