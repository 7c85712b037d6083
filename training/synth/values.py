"""Value factories: names, numbers, places, organisations and phrases for synthetic documents.

Every factory takes a ``random.Random`` (never the global one) so a document is a pure function
of its seed. Numbers come in the surface forms archives really contain (full-width digits, spaces
inside numbers, hyphens, OCR confusions, legacy 15-digit IDs), because the rules and the tagger
must be measured on those, not on clean strings only.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from training import gazetteers as gz

# ----------------------------------------------------------------------------- numerals / dates
CN_DIGITS = "〇一二三四五六七八九"
CN_SMALL = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def cn_number(n: int) -> str:
    """0..99 as Chinese numerals (十二, 二十, 三十五)."""
    if n < 0 or n > 99:
        raise ValueError(n)
    if n <= 10:
        return CN_SMALL[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_SMALL[tens]) + "十" + (CN_SMALL[ones] if ones else "")


def cn_year(y: int) -> str:
    """1987 -> 一九八七."""
    return "".join(CN_DIGITS[int(c)] for c in str(y))


def fmt_date(rng: random.Random, d: date, style: str | None = None) -> str:
    """A date as archives write it; styles vary by era (Chinese numerals are more common early)."""
    style = style or rng.choice(["arabic", "arabic", "cn", "dot", "arabic_pad", "ym"] if d.year < 1980 else ["arabic", "arabic", "dot", "arabic_pad", "dash", "ym", "cn"])
    if style == "cn":
        return f"{cn_year(d.year)}年{cn_number(d.month)}月{cn_number(d.day)}日"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "arabic_pad":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "dash":
        return d.isoformat()
    if style == "ym":
        return f"{d.year}年{d.month}月"
    return f"{d.year}年{d.month}月{d.day}日"


def random_date(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


# ----------------------------------------------------------------------------- surface forms
FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in string.digits + string.ascii_letters + "-@."}


def to_fullwidth(s: str) -> str:
    return "".join(FULLWIDTH.get(c, c) for c in s)


def ocr_damage(rng: random.Random, s: str, k: int = 1) -> str:
    """Replace up to k digits with their OCR look-alikes (0->O, 1->l)."""
    idx = [i for i, c in enumerate(s) if c in "01"]
    rng.shuffle(idx)
    chars = list(s)
    for i in idx[:k]:
        chars[i] = "O" if chars[i] == "0" else rng.choice("lI")
    return "".join(chars)


def group_digits(s: str, sizes: list[int], sep: str = " ") -> str:
    out, i = [], 0
    for n in sizes:
        if i >= len(s):
            break
        out.append(s[i : i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return sep.join(out)


# ----------------------------------------------------------------------------- names
#: Common given-name characters (hand-collected); Faker's zh_CN list has only 131 given names,
#: too few: a tagger would learn the names instead of the contexts.
GIVEN_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓仪荷丹蓉眉君琴蕊薇菁梦岚苑馨韵园咏卿聪澜纯毓悦昭冰爽琬茗羽希欣滢馥筠柔竹凝晓欢霄枫芸菲寒伊亚宜可舒影丽阳妮宝程恒鸿桦骅剑娇纪宽灵琪晴容睿烁唯威韦雯萱彦宇雨洋忠宗曼紫逸贤蝶菡"
)
RARE_GIVEN = list("堃犇淼喆昇珺玥燚垚旻赟翀婕琇璟昶晞婳祎曌彧玹燊钰湉暄瑢砚珩琰骞镠鋆韫") + ["𠮷", "𡒄", "𪚥"]
ERA_GIVEN = {
    1950: ["建国", "建华", "援朝", "抗美", "解放", "国庆", "和平", "胜利", "建军", "秀英", "桂英", "玉兰", "凤英", "淑珍"],
    1966: ["卫东", "卫红", "向东", "红卫", "文革", "永红", "学军", "东风", "红梅", "爱华", "跃进", "红英"],
    1980: ["伟", "磊", "静", "丽", "勇", "军", "敏", "燕", "强", "涛", "斌", "霞", "晓东", "海燕", "建平", "志强"],
}


@dataclass
class NameMaker:
    """Person names: weighted real surnames (incl. compound), Faker and era-typical given names."""

    rng: random.Random
    faker: Faker

    def surname(self) -> str:
        names, weights = gz.surnames()
        if self.rng.random() < 0.04:
            return self.rng.choice(gz.compound_surnames())
        if self.rng.random() < 0.15:  # the long tail: rare surnames get a chance too
            return self.rng.choice(names)
        return self.rng.choices(names, weights=weights, k=1)[0]

    def given(self, year: int | None = None) -> str:
        r = self.rng.random()
        if r < 0.04:
            return self.rng.choice(RARE_GIVEN) + (self.faker.first_name()[-1] if self.rng.random() < 0.6 else "")
        if year is not None and r < 0.25:
            era = 1950 if year < 1966 else 1966 if year < 1978 else 1980
            return self.rng.choice(ERA_GIVEN[era])
        if r < 0.4:
            g = self.faker.first_name()
            return g + self.faker.first_name()[-1] if self.rng.random() < 0.3 and len(g) == 1 else g
        if r < 0.43:
            c = self.rng.choice(GIVEN_CHARS)
            return c + c  # 婷婷, 丹丹
        k = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.choice(GIVEN_CHARS) for _ in range(k))

    def full(self, year: int | None = None) -> str:
        return self.surname() + self.given(year)

    def historical(self) -> str:
        pool = gz.famous_people() if self.rng.random() < 0.5 else gz.historical_names()
        return self.rng.choice(pool)

    def foreign(self) -> str:
        return self.rng.choice([
            "约翰·史密斯", "伊万诺夫", "山田太郎", "金正浩", "玛丽亚·冈萨雷斯", "阮文雄", "安德烈·彼得罗夫",
            "John Carter", "Hans Müller", "田中一郎", "李承焕", "斯特朗", "史沫特莱", "路易·艾黎", "马海德",
        ])


# ----------------------------------------------------------------------------- ID numbers
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def resident_id(rng: random.Random, birth: date, area_code: str | None = None, female: bool | None = None) -> str:
    """A valid 18-digit resident ID (GB 11643)."""
    area = area_code or rng.choice(sorted(gz.area_codes()))
    seq = rng.randrange(0, 100)
    sex = rng.randrange(10)
    if female is not None:
        sex = rng.choice([0, 2, 4, 6, 8]) if female else rng.choice([1, 3, 5, 7, 9])
    first17 = f"{area}{birth:%Y%m%d}{seq:02d}{sex}"
    return first17 + id_check_digit(first17)


def wrong_check(rng: random.Random, id18: str) -> str:
    good = id18[-1]
    return id18[:-1] + rng.choice([c for c in "0123456789X" if c != good])


def legacy_id15(rng: random.Random, birth: date, area_code: str | None = None) -> str:
    area = area_code or rng.choice(sorted(gz.area_codes()))
    return f"{area}{birth:%y%m%d}{rng.randrange(1000):03d}"


def id_surface(rng: random.Random, birth: date, area_code: str | None = None, hard: float = 0.3) -> tuple[str, str]:
    """An ID number in one of its archival surface forms; returns (text, kind)."""
    if rng.random() >= hard:
        return resident_id(rng, birth, area_code), "id18"
    kind = rng.choice(["legacy15", "spaced", "fullwidth", "ocr", "wrongcheck", "x", "linebreak", "passport", "officer", "permit"])
    if kind == "permit":  # Hong Kong/Macao home-return permit (回乡证)
        return rng.choice(["H", "M"]) + "".join(rng.choice(string.digits) for _ in range(rng.choice([8, 10]))), kind
    if kind == "legacy15":
        return legacy_id15(rng, birth, area_code), kind
    if kind == "x":
        for _ in range(50):
            s = resident_id(rng, birth, area_code)
            if s.endswith("X"):
                return s, kind
        return s, "id18"
    s = resident_id(rng, birth, area_code)
    if kind == "spaced":
        return group_digits(s, rng.choice([[6, 8, 4], [4, 4, 4, 4, 2], [6, 4, 4, 4]])), kind
    if kind == "fullwidth":
        return to_fullwidth(s), kind
    if kind == "ocr":
        return ocr_damage(rng, s, k=rng.choice([1, 2])), kind
    if kind == "wrongcheck":
        return wrong_check(rng, s), kind
    if kind == "linebreak":
        cut = rng.randrange(6, 15)
        return s[:cut] + "\n" + s[cut:], kind
    if kind == "passport":
        return rng.choice(["G", "E", "P"]) + "".join(rng.choice(string.digits) for _ in range(8)), kind
    return f"{rng.choice(['南', '北', '沈', '兰', '济', '广', '成', '京', '海', '空'])}字第{rng.randrange(10**6):06d}号", kind


# ----------------------------------------------------------------------------- phones
AREA_CODES = ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0591", "0592", "0593", "0594", "0595",
              "0596", "0597", "0598", "0599", "0571", "0574", "0577", "0731", "0371", "0531", "0532", "0551", "0871", "0851",
              "0771", "0898", "0431", "0451", "0471", "0311", "0351", "0931", "0971", "0951", "0991", "0891", "0791", "0755", "0769"]
MOBILE_PREFIX = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "186", "189"]


def landline(rng: random.Random, year: int) -> tuple[str, str]:
    """A landline in era-appropriate length (5-6 digits before ~1990, 7-8 after), with or without area code."""
    n = rng.choice([5, 6]) if year < 1985 else rng.choice([7, 8]) if year >= 1995 else rng.choice([6, 7])
    local = str(rng.randrange(2, 10)) + "".join(rng.choice(string.digits) for _ in range(n - 1))
    style = rng.random()
    area = rng.choice(AREA_CODES)
    if style < 0.35:
        return local, "local"
    if style < 0.75:
        return f"{area}-{local}", "area"
    if style < 0.85:
        return f"（{area}）{local}", "paren"
    if style < 0.93:
        return f"{area}{local}", "area_nosep"
    return f"+86-{area[1:]}-{local}", "intl"


def mobile(rng: random.Random) -> tuple[str, str]:
    s = rng.choice(MOBILE_PREFIX) + "".join(rng.choice(string.digits) for _ in range(8))
    r = rng.random()
    if r < 0.6:
        return s, "mobile"
    if r < 0.72:
        return f"{s[:3]}-{s[3:7]}-{s[7:]}", "mobile_hyphen"
    if r < 0.8:
        return f"{s[:3]} {s[3:7]} {s[7:]}", "mobile_spaced"
    if r < 0.88:
        return to_fullwidth(s), "mobile_fullwidth"
    if r < 0.94:
        return "+86 " + s, "mobile_intl"
    return ocr_damage(rng, s), "mobile_ocr"


def pager(rng: random.Random) -> str:
    return f"{rng.choice(['126', '127', '128', '191', '192', '198'])}-{rng.randrange(10**6, 10**7)}"


def phone_for_year(rng: random.Random, year: int, private: bool = True) -> tuple[str, str]:
    """(number, kind-word) for the document year: no mobiles before 1995, pagers 1990-2002."""
    if private and year >= 1996 and rng.random() < 0.6:
        return mobile(rng)[0], rng.choice(["手机", "手机号码", "联系电话", "移动电话", "电话"])
    if private and 1990 <= year <= 2002 and rng.random() < 0.3:
        return pager(rng), rng.choice(["传呼", "BP机", "寻呼"])
    words = ["电话", "联系电话", "住宅电话", "家庭电话", "电话号码", "宅电"] if private else ["电话", "联系电话", "办公电话", "电话号码", "值班电话"]
    return landline(rng, year)[0], rng.choice(words)


# ----------------------------------------------------------------------------- email / bank
EMAIL_DOMAINS = ["163.com", "126.com", "sina.com", "sohu.com", "yahoo.com.cn", "263.net", "public.fz.fj.cn", "hotmail.com", "qq.com", "21cn.com"]


def email(rng: random.Random, faker: Faker) -> str:
    user = faker.user_name()
    if rng.random() < 0.4:
        user += str(rng.randrange(10, 999))
    return f"{user}@{rng.choice(EMAIL_DOMAINS)}"


def org_email(rng: random.Random, faker: Faker) -> str:
    """A public body's or company's published address (office@..., sales@company.com.cn)."""
    user = rng.choice(["office", "bgs", "dag", "xfb", "info", "tjj", "jwb", "sales", "service", "zhb", "webmaster", "hr"])
    if rng.random() < 0.5:
        return f"{user}@{rng.choice(['fz', 'xm', 'qz', 'np', 'nd', 'pt', 'sh', 'bj', 'gz', 'wh'])}.{rng.choice(['gov.cn', 'fj.cn', 'net.cn', 'gov.cn'])}"
    return f"{user}@{faker.domain_word()}.{rng.choice(['com.cn', 'com', 'cn', 'net'])}"


def luhn_complete(prefix_and_body: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, c in enumerate(reversed(prefix_and_body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix_and_body + str((10 - total % 10) % 10)


def luhn_ok(num: str) -> bool:
    digits = [int(c) for c in num if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def bank_card(rng: random.Random) -> tuple[str, str]:
    prefix = rng.choice(["622202", "622848", "621700", "436742", "622588", "621226", "622700", "622609", "620522"])
    length = rng.choice([16, 19, 19])
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    s = luhn_complete(body)
    r = rng.random()
    if r < 0.7:
        return s, "card"
    if r < 0.9:
        return " ".join(s[i : i + 4] for i in range(0, len(s), 4)), "card_spaced"
    return to_fullwidth(s), "card_fullwidth"


def passbook_account(rng: random.Random) -> str:
    """A passbook / corporate account: digits, often with hyphens, no check digit."""
    r = rng.random()
    if r < 0.4:
        return "".join(rng.choice(string.digits) for _ in range(rng.choice([12, 15, 17])))
    if r < 0.7:
        return f"{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}-{rng.randrange(10**6, 10**7)}"
    return f"{rng.randrange(10**2, 10**3)}{rng.randrange(10**9, 10**10)}"


BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国人民银行", "兴业银行", "农村信用合作社"]


# ----------------------------------------------------------------------------- places
ROAD_BASES = ["人民", "解放", "中山", "建设", "五一", "八一", "胜利", "和平", "新华", "东风", "朝阳", "工业", "文化", "青年", "北京",
              "湖滨", "杨桥", "五四", "六一", "金山", "华林", "古田", "白马", "光明", "跃进", "红旗", "迎宾", "府前", "环城", "滨江",
              "复兴", "民主", "兴业", "学院", "育才", "长安", "沿河", "望江", "桂花", "樟林", "东街", "西门", "南门", "北环"]
ROAD_SUFFIX = ["路", "路", "街", "大道", "巷", "弄", "里", "中路", "北路", "南路", "东路", "西路"]
VILLAGE_BASES = ["东营", "赤桥", "后屿", "前埔", "下洋", "上坂", "新厝", "溪头", "岭下", "石门", "桥头", "塘边", "山后", "大坪", "竹林",
                 "洋中", "湖里", "坑口", "沙堤", "龙田", "高岭", "梅林", "枫亭", "杏坛", "潭头", "王庄", "李家", "张湾", "柳树屯", "马家堡"]


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    area: str
    town: str
    area_code: str

    def chain(self, rng: random.Random, depth: int | None = None) -> str:
        """A contiguous admin chain, e.g. 福建省福州市晋安区新店镇 (one LOC span)."""
        parts = [self.province, self.city, self.area, self.town]
        parts = [p for p in parts if p]
        start = rng.choice([0, 0, 1, 1, 2]) if depth is None else max(0, len(parts) - depth)
        start = min(start, len(parts) - 1)
        # municipalities: 北京市 province == city name; avoid 北京市北京市
        chain = []
        for p in parts[start:]:
            if not chain or chain[-1] != p:
                chain.append(p)
        return "".join(chain)


def random_place(rng: random.Random) -> Place:
    a = rng.choice(gz.areas())
    towns = gz.streets_by_area().get(a.code, ())
    town = rng.choice(towns) if towns else ""
    city = a.city or ""
    return Place(a.province, city, a.name, town, a.code)


def street_address(rng: random.Random, place: Place, year: int) -> str:
    """A street-level address of a person or household (ADDRESS)."""
    prefix = place.chain(rng) if rng.random() < 0.75 else ""
    kind = rng.random()
    if kind < 0.5 or not place.town:
        road = rng.choice(ROAD_BASES) + rng.choice(ROAD_SUFFIX)
        num = rng.randrange(1, 400)
        s = f"{prefix if not prefix.endswith(place.town) or not place.town else prefix[: -len(place.town)]}{road}{num}号"
        r = rng.random()
        if r < 0.35:
            s += f"{rng.randrange(1, 30)}栋{rng.randrange(1, 20)}0{rng.randrange(1, 6)}室"
        elif r < 0.55:
            s += f"{rng.randrange(1, 9)}单元{rng.randrange(1, 7)}0{rng.randrange(1, 5)}"
        elif r < 0.65:
            s += f"之{rng.randrange(1, 9)}"
        elif r < 0.75 and year < 1985:
            s = s.replace("号", f"号{rng.choice(['前', '后'])}院") if rng.random() < 0.5 else s
        return s
    village = rng.choice(VILLAGE_BASES) + "村"
    base = prefix if prefix.endswith(place.town) else prefix + place.town
    if rng.random() < 0.5:
        return f"{base}{village}{rng.randrange(1, 15)}组{rng.randrange(1, 80)}号"
    if year < 1984 and rng.random() < 0.6:
        return f"{base}{rng.choice(VILLAGE_BASES)}大队第{cn_number(rng.randrange(1, 12))}生产队"
    return f"{base}{village}{rng.randrange(1, 200)}号"


# ----------------------------------------------------------------------------- organisations
GOV_BODIES = ["人民政府", "档案局", "公安局", "民政局", "财政局", "教育局", "卫生局", "劳动局", "统计局", "计划生育委员会", "人民法院",
              "人民检察院", "粮食局", "税务局", "工商行政管理局", "城乡建设委员会", "文化局", "水利局", "交通局", "人事局", "信访办公室"]
PARTY_BODIES = ["委员会", "纪律检查委员会", "组织部", "宣传部", "统战部"]
COMPANY_INDUSTRY = ["物流", "纺织", "机械", "电子", "食品", "建材", "化工", "贸易", "茶业", "制药", "印刷", "水产", "服装", "电器", "塑料"]
COMPANY_SUFFIX = ["有限公司", "有限责任公司", "股份有限公司", "公司", "集团有限公司"]
FACTORIES = ["第一针织厂", "第二纺织厂", "机械厂", "农机厂", "罐头厂", "造纸厂", "化肥厂", "棉纺厂", "电机厂", "钢铁厂", "制药厂", "酒厂", "木材加工厂"]
SCHOOLS = ["第一中学", "第三中学", "实验小学", "师范学校", "卫生学校", "职业中专", "中心小学", "农业学校"]
HOSPITALS = ["人民医院", "第一医院", "中医院", "第二人民医院", "妇幼保健院", "精神病防治院", "职工医院"]


def short_place(name: str) -> str:
    """福州市 -> 福州, 晋安区 -> 晋安 (for org names such as 福州第一针织厂)."""
    for suf in ("特别行政区", "自治州", "自治县", "自治旗", "地区", "盟", "市", "县", "区", "旗", "省", "镇", "乡", "街道"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


def org_name(rng: random.Random, place: Place, kind: str | None = None, year: int | None = None) -> str:
    """An organisation name that identifies one organisation (ORG): place + body/suffix.

    Era-aware where it matters: 革命委员会 1967-1978, 人民公社 before 1984, companies mostly after 1980.
    """
    kind = kind or rng.choice(["gov", "gov", "company", "factory", "school", "hospital", "party", "village", "court"])
    level = rng.choice([place.city or place.province, place.area, place.area])
    if kind == "company" and year is not None and year < 1980 and rng.random() < 0.7:
        kind = "factory"
    if kind == "gov":
        if year is not None and 1967 <= year <= 1978 and rng.random() < 0.5:
            return level + "革命委员会" + rng.choice(["", "", "生产指挥组", "政工组", "办事组"])
        return level + rng.choice(GOV_BODIES)
    if kind == "court":
        return (place.city or place.province) + "中级人民法院" if rng.random() < 0.4 else place.area + "人民法院"
    if kind == "hospital":
        return (place.city or place.area) + rng.choice(HOSPITALS)
    if kind == "company":
        short = rng.choice(gz.company_short_names())
        return short_place(level) + short + rng.choice(COMPANY_INDUSTRY) + rng.choice(COMPANY_SUFFIX)
    if kind == "factory":
        return short_place(level) + rng.choice(FACTORIES)
    if kind == "school":
        return (place.city or place.area) + rng.choice(SCHOOLS)
    if kind == "party":
        return "中共" + level + rng.choice(PARTY_BODIES)
    if kind == "village":
        if year is not None and year < 1984 and rng.random() < 0.6:
            return short_place(place.town or place.area) + rng.choice(["人民公社", "公社革命委员会" if year and 1967 <= year <= 1978 else "人民公社管理委员会"])
        return rng.choice(VILLAGE_BASES) + rng.choice(["村民委员会", "村委会", "村党支部"])
    if kind == "town":
        return (place.town or place.area) + rng.choice(["党委", "人民政府", "财政所", "派出所", "卫生院", "供销社", "中心小学"])
    if kind == "memorial":
        return rng.choice(["林则徐纪念馆", "鲁迅纪念馆", "中山纪念堂管理处", "鲁迅中学", "中山大学", "逸仙中学", "郑成功纪念馆", "詹天佑纪念馆"])
    raise ValueError(kind)


NATIONAL_ORGS = ["国务院", "公安部", "民政部", "中国共产党", "全国人民代表大会常务委员会", "最高人民法院", "国家档案局", "卫生部", "劳动部", "外交部", "国家计划委员会"]

# ----------------------------------------------------------------------------- health / legal
INJURIES = ["左腿胫骨骨折", "右手食指离断伤", "腰椎压缩性骨折", "颅脑外伤", "双眼化学性烧伤", "右臂截肢", "尘肺", "听力损伤", "脊髓损伤", "肋骨多处骨折"]
REPRO = ["放置宫内节育器", "施行输卵管结扎手术", "做人工流产手术", "施行输精管结扎术", "引产"]


def disease(rng: random.Random) -> str:
    pool = gz.disease_terms()
    common = ["肺结核", "乳腺癌", "精神分裂症", "尿毒症", "肝硬化", "慢性肾炎", "高血压病", "糖尿病", "癫痫", "风湿性心脏病", "胃溃疡", "乙型肝炎", "抑郁症", "肺癌", "脑梗塞"]
    return rng.choice(common) if rng.random() < 0.35 else rng.choice(pool)


#: Diagnosis verbs. The held-out test split additionally uses the HELD_OUT ones, which training
#: documents never contain, so HEALTH recall is measured on unseen phrasings too.
DIAGNOSIS_VERBS = ["确诊为", "患有", "经诊断为", "诊断为", "长期患有", "曾患", "身患", "经医院确诊患有"]
DIAGNOSIS_VERBS_HELD_OUT = ["被诊断为", "罹患", "经检查确诊为", "查出患有"]
TREATMENTS = ["行阑尾切除术", "接受化学治疗", "做了心脏搭桥手术", "住院透析治疗", "行胃大部切除术", "接受放射治疗", "截除右下肢",
              "行白内障摘除术", "服用抗精神病药物治疗"]


def health_phrase(rng: random.Random, split: str = "train") -> str:
    """A minimal HEALTH phrase with its verb (确诊为肺结核, 患有尿毒症, 七级伤残, 放置宫内节育器)."""
    r = rng.random()
    d = disease(rng)
    if r < 0.5:
        held_out = split == "test" and rng.random() < 0.5
        return rng.choice(DIAGNOSIS_VERBS_HELD_OUT if held_out else DIAGNOSIS_VERBS) + d
    if r < 0.58:
        return f"{cn_number(rng.randrange(1, 11))}级伤残"
    if r < 0.64:
        return f"伤残等级为{cn_number(rng.randrange(1, 11))}级"
    if r < 0.71:
        return rng.choice(REPRO)
    if r < 0.78:
        return rng.choice(INJURIES)
    if r < 0.86:
        return rng.choice(TREATMENTS)
    if r < 0.93:
        return f"因{d}住院治疗"
    return f"{d}晚期"


def legal_phrase(rng: random.Random, kind: str | None = None) -> str:
    """A minimal LEGAL_RECORD phrase (犯X罪, 判处有期徒刑三年, 行政拘留十日, 党内警告处分)."""
    kind = kind or rng.choice(["charge", "sentence", "sentence", "admin", "party", "measure", "release"])
    if kind == "charge":
        return f"犯{rng.choice(gz.criminal_charges())}"
    if kind == "sentence":
        r = rng.random()
        if r < 0.55:
            return f"判处有期徒刑{cn_number(rng.randrange(1, 16))}年"
        if r < 0.7:
            return f"判处有期徒刑{cn_number(rng.randrange(1, 10))}年，缓刑{cn_number(rng.randrange(1, 6))}年"
        if r < 0.8:
            return f"判处拘役{cn_number(rng.randrange(1, 7))}个月"
        if r < 0.88:
            return rng.choice(["判处无期徒刑", "判处死刑，缓期二年执行", "判处管制一年"])
        return f"判处有期徒刑{cn_number(rng.randrange(1, 10))}年，剥夺政治权利{cn_number(rng.randrange(1, 6))}年"
    if kind == "admin":
        return rng.choice([f"行政拘留{cn_number(rng.choice([5, 10, 15]))}日", f"劳动教养{cn_number(rng.randrange(1, 4))}年",
                           "罚款二百元", f"强制戒毒{cn_number(rng.choice([3, 6]))}个月", "收容审查", "治安警告"])
    if kind == "party":
        return rng.choice(["党内警告处分", "党内严重警告处分", "撤销党内职务处分", "留党察看一年处分", "开除党籍处分",
                           "行政记过处分", "行政记大过处分", "降级处分", "撤职处分", "开除公职处分", "通报批评", "开除留用察看"])
    if kind == "measure":
        return rng.choice(["刑事拘留", "逮捕", "取保候审", "监视居住", "隔离审查"])
    return rng.choice(["刑满释放", "假释", "减刑一年", "解除劳动教养"])


# ----------------------------------------------------------------------------- secret marks
def secret_mark(rng: random.Random, year: int) -> tuple[str, str, int | None]:
    """(marking as printed, catalogue classification, period in years or None)."""
    r = rng.random()
    if r < 0.15:
        return rng.choice(["内部资料　注意保存", "内部资料 注意保存", "内部文件　注意保存", "内部资料"]), "内部", None
    level = rng.choice(["秘密", "秘密", "机密", "机密", "绝密"])
    if year < 1989 or rng.random() < 0.15:  # the ★ period marking dates from the 1988 Secrecy Law on
        return level, level, None
    period = rng.choice(["长期", "10年", "20年", "3年", "5年", "30年", "1年"])
    star = rng.choice(["★", "★", "☆"]) if rng.random() < 0.9 else "★"
    sep = rng.choice(["", "", " "])
    return f"{level}{sep}{star}{sep}{period}", level, (None if period == "长期" else int(period[:-1]))


def declass_note(rng: random.Random, d: date) -> str:
    return rng.choice([
        f"已解密（{fmt_date(rng, d, 'arabic')}）", "已解密", f"解密日期：{fmt_date(rng, d)}", "此件已自行解密",
        f"经{d.year}年开放鉴定，本件已解密", f"{d.year}年{d.month}月解密", "本件已于保密期限届满后自行解密",
        f"解密标识：已解密 {d.year}", "（已解密）",
    ])


# ----------------------------------------------------------------------------- catalogue
def reference_code(rng: random.Random, year: int) -> str:
    """档号: J012-003-0045 (fonds-series-item) or 0001-WS·1987-Y-0012 (document-level)."""
    if rng.random() < 0.5:
        return f"{rng.choice('JGZC')}{rng.randrange(1, 200):03d}-{rng.randrange(1, 30):03d}-{rng.randrange(1, 999):04d}"
    return f"{rng.randrange(1, 300):04d}-WS·{year}-{rng.choice(['Y', 'D30', 'C'])}-{rng.randrange(1, 999):04d}"


def doc_number(rng: random.Random, place: Place, year: int) -> str:
    """文号 such as 榕政〔1993〕12号 (a decoy: no ID, no PHONE)."""
    abbr = rng.choice(["榕", "闽", "厦", "泉", "莆", "三", "漳", "宁", "延", "岩"]) + rng.choice(["政", "委", "政办", "民", "劳", "卫", "公", "计生", "财", "秘字"])
    br = rng.choice(["〔", "[", "（"])
    close = {"〔": "〕", "[": "]", "（": "）"}[br]
    return f"{abbr}{br}{year}{close}{rng.randrange(1, 200)}号"


def postal_code(rng: random.Random) -> str:
    return f"{rng.randrange(10, 86)}{rng.randrange(0, 10000):04d}"


def invoice_number(rng: random.Random) -> str:
    return f"No.{rng.randrange(10**7, 10**8)}" if rng.random() < 0.5 else f"{rng.randrange(10**7, 10**8)}"


def tax_number(rng: random.Random, place: Place) -> str:
    return f"{place.area_code}{rng.randrange(10**8, 10**9)}"


def student_number(rng: random.Random, year: int) -> str:
    return f"{str(year)[2:]}{rng.randrange(10**4, 10**6)}"
