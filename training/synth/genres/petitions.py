"""Petitions (信访): letters, visit forms, the office's replies."""
from __future__ import annotations

from training.synth.fragments import Ctx
from training.synth.genres.common import PETITION_FILLER, filler


def petition_letter(c: Ctx) -> None:
    """信访: a private person's complaint. Family disputes make it private; else personal info is incidental."""
    c.meta["title"] = c.pick(["来信", "人民来信", "信访件", "申诉信", "来访登记"])
    office = (c.place.city or c.place.area) + c.rng.choice(["信访局", "人民政府信访办公室", "信访办"])
    c.meta["creator"] = office
    c.t(c.pick(["尊敬的", "致", ""]))
    c.org(name=office)
    c.t(c.pick(["领导：\n", "：\n", "负责同志：\n"]))
    c.t(c.pick(["我叫", "来信人", "我是"]))
    name = c.person()
    c.t("，" + c.pick(["家住", "住", "现住"]))
    c.home_address(word=False)
    c.t("。")
    topic = c.rng.random()
    if topic < 0.35:
        c.doc.fact("private_subject")
        c.t(c.pick(["我与丈夫", "我与儿子", "我与前夫", "我家与邻居", "我与公婆"]) + c.rng.choice(["长期不和，", "因赡养问题发生纠纷，", "因分家析产发生争执，", "因宅基地发生纠纷，"]))
        c.t(c.pick(["对方", "其丈夫", "其儿子", "对方家人"]) + c.rng.choice(["多次殴打我，", "拒不支付抚养费，", "强占房屋，"]) + "致我")
        c.health()
        c.t("。")
    elif topic < 0.8:
        c.t(c.pick(["反映", "现反映", "特来信反映"]))
        c.org(c.rng.choice(["village", "town", "company", "factory"]))
        c.t(c.rng.choice(["征用我家责任田未予补偿", "拖欠工资", "违规收取提留款", "强拆房屋"]) + "的问题。")
    else:
        c.t(c.pick(["为我父亲", "为本人", "为我丈夫"]))
        c.t(c.rng.choice(["申诉：", "平反申诉："]) + f"{c.year - c.rng.randrange(10, 30)}年被")
        c.legal(c.rng.choice(["sentence", "admin", "party"]))
        c.t("，" + c.pick(["系错案，请求复查。", "现请求平反。", "要求落实政策。"]))
    filler(c, pool=PETITION_FILLER)
    c.t(c.pick(["联系方式：", "\n", "\n"]))
    c.phone()
    if c.year >= 1996 and c.chance(0.5):
        c.t("，")
        c.email()
    c.t("。\n" + c.pick(["来信人：", "此致\n敬礼\n", "信访人："]))
    c.person(name)
    c.t("\n")
    c.date_text()


def petition_register_test(c: Ctx) -> None:
    """HELD OUT: 信访事项办理情况答复 (an office's written reply)."""
    office = (c.place.city or c.place.area) + "信访局"
    c.meta["title"] = c.pick(["信访事项处理意见书", "信访答复意见书", "关于信访事项的复查意见"])
    c.meta["creator"] = office
    c.t(c.meta["title"] + "\n")
    c.person()
    c.t(c.pick(["：\n你于", "同志：\n你于", "：\n你"]))
    c.t(f"{c.year}年{c.rng.randrange(1, 13)}月" + c.pick(["来信反映", "到我局反映", "来访反映"]))
    c.t(c.rng.choice(["宅基地纠纷", "工资拖欠", "退休待遇", "房屋拆迁补偿"]) + "问题。经" + c.pick(["调查核实，", "转交"]))
    c.org(c.rng.choice(["gov", "town"]))
    c.t(c.pick(["处理，现答复如下：", "核实，答复如下："]) + c.rng.choice(["你反映的情况基本属实，已责成有关单位限期解决。", "你的诉求缺乏依据，不予支持。"]))
    if c.chance(0.6):
        c.t("你留下的")
        c.phone()
        c.t("已登记。")
    if c.year >= 1996 and c.chance(0.5):
        c.t(c.pick(["答复已同时发送至你的", "电子答复已发至"]))
        c.email()
        c.t("。")
    if c.chance(0.4):
        c.t("送达地址：")
        c.home_address(word=False)
        c.t("。")
    c.t("\n")
    c.org(name=office)
    c.t("\n")
    c.date_text()


def petition_visit_form(c: Ctx) -> None:
    """来访登记表: a petition office's intake form."""
    office = (c.place.city or c.place.area) + c.rng.choice(["信访办公室", "人民来访接待站", "信访局"])
    c.meta["title"] = c.pick(["来访登记表", "群众来访登记", "信访登记簿（摘录）"])
    c.meta["creator"] = office
    c.org(name=office)
    c.t("\n" + c.meta["title"] + "\n" + c.pick(["来访人：", "姓名：", "来访人姓名："]))
    c.person()
    c.sep()
    c.t("性别：" + c.rng.choice(["男", "女"]))
    c.sep()
    if c.year >= 1985 and c.chance(0.6):
        c.id_number()
        c.sep()
    c.home_address()
    c.sep()
    if c.chance(0.6):
        c.phone()
        c.sep()
    if c.year >= 1996 and c.chance(0.4):
        c.email()
        c.sep()
    c.t("\n" + c.pick(["反映问题：", "来访事由：", "主要诉求："]))
    k = c.rng.random()
    if k < 0.3:
        c.doc.fact("private_subject")
        c.t(c.rng.choice(["离婚后子女抚养问题", "家庭暴力问题", "与兄弟赡养纠纷"]) + "，自述")
        c.health()
        c.t("。")
    elif k < 0.5:
        c.t("要求对本人" + f"{c.year - c.rng.randrange(5, 25)}年被")
        c.legal(c.rng.choice(["sentence", "admin", "party"]))
        c.t(c.rng.choice(["一事复查。", "一案平反。"]))
    else:
        c.t("反映")
        c.org(c.rng.choice(["village", "town", "factory", "company"]))
        c.t(c.rng.choice(["克扣救济粮", "征地补偿不到位", "拖欠工资", "乱收费"]) + "。")
    c.t("\n" + c.pick(["接待人：", "接谈人：", "经办人："]))
    c.person()
    c.t("  ")
    c.date_text()
    c.t("\n")
