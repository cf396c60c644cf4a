"""Build the Word templates under ``templates/docx/`` (Decree 30 layout with Jinja placeholders).

Run ``python -m giamsat.notify.templates`` after changing this file; officers may then
edit the committed .docx files in Word (keep each ``{{ … }}`` / ``{%p … %}`` tag intact). The
rendering code (``giamsat.docx.render``) fills them with docxtpl.
"""

from __future__ import annotations

import sys
from pathlib import Path

from giamsat.docx.decree30 import OfficialDocument, Signer
from giamsat.docx.render import DOCX_TEMPLATES

PLAN_TEMPLATE = "ke-hoach.docx"
LETTER_TEMPLATE = "cong-van-thong-bao.docx"

# Signature lines are upper-cased by the layout, so their placeholders are upper-case names.
_COMMITTEE_SIGNER = Signer("{{ SIGN_TITLE }}", "{{ sign_name }}", "{{ SIGN_CAPACITY }}",
                           "{{ SIGN_DELEGATION }}")
_OFFICE_SIGNER = Signer("{{ SIGN_TITLE }}", "{{ sign_name }}", "{{ SIGN_CAPACITY }}",
                        "{{ SIGN_DELEGATION }}", optional_lines=True)
_WHEN = ("{% if s.before %}Trước ngày {{ s.end|short_date }}{% elif s.start == s.end %}Ngày "
         "{{ s.start|short_date }}{% else %}Từ ngày {{ s.start|short_date }} đến ngày "
         "{{ s.end|short_date }}{% endif %}")
_RECIPIENTS = ["{%p for r in recipients %}", "{{ r }}", "{%p endfor %}"]


def _loop(d: OfficialDocument, head: str, line: str, tail: str = "{%p endfor %}") -> None:
    d.para(head)
    d.para(line)
    d.para(tail)


def build_plan_template() -> OfficialDocument:
    """KẾ HOẠCH giám sát, đánh giá (the seed plan) with its annex: team and schedule."""
    d = OfficialDocument(parent_body=None, issuing_body="{{ ISSUING_BODY }}",
                         number_line="{{ number_line }}", place_date="{{ place_date }}",
                         type_title="Kế hoạch", summary="{{ summary }}")
    _loop(d, "{%p for b in implements %}",
          "Thực hiện {{ b.kind }} số {{ b.number }} ngày {{ b.date|short_date }} của {{ b.issuer }} "
          "{{ b.summary }}.")
    d.para("{{ committee_short }} xây dựng Kế hoạch {{ summary_lower }}, với các nội dung như sau:")
    d.heading("I. MỤC ĐÍCH, YÊU CẦU")
    d.heading("1. Mục đích", 2)
    d.bullet("Theo dõi giám sát kịp thời phát hiện khó khăn, vướng mắc trong quá trình triển khai, tổ "
             "chức thực hiện chương trình tại các đơn vị, địa phương, qua đó đề xuất các giải pháp và "
             "kiến nghị trong tổ chức thực hiện và theo dõi việc thực hiện kiến nghị đã đề xuất cấp có "
             "thẩm quyền xử lý;")
    d.bullet("Xác định được mức độ đạt được theo mục tiêu, chỉ tiêu cụ thể so với quy định đầu tư hoặc "
             "tiêu chuẩn đánh giá quy định của nhà nước.")
    d.heading("2. Yêu cầu", 2)
    d.bullet("Công tác giám sát, đánh giá thực hiện theo định kỳ và đột xuất đảm bảo nội dung và thời "
             "gian theo quy định.")
    d.bullet("Thu thập và tổng hợp thông tin báo cáo giám sát, đánh giá thực hiện chương trình đảm bảo "
             "chính xác, đầy đủ, kịp thời.")
    d.heading("II. ĐỐI TƯỢNG VÀ THỜI GIAN THỰC HIỆN")
    d.heading("1. Đối tượng", 2)
    d.bullet("{{ office_short }} {{ level }};")
    d.bullet("{{ units_body_cap }} trên địa bàn {{ level }}.")
    d.para("2. Thời gian thực hiện: Từ tháng {{ period_start }} đến tháng {{ period_end }}.")
    d.heading("III. NỘI DUNG GIÁM SÁT ĐÁNH GIÁ VÀ CÁC BƯỚC THỰC HIỆN")
    d.heading("1. Nội dung giám sát đánh giá", 2)
    d.para("{%p for c in contents %}")
    d.bullet("{{ c.title }}.")
    d.para("{%p if c.key == 'household_review' %}")
    d.para("+ {{ office_short }}: Giám sát công tác tham mưu {{ committee_ref }} lãnh đạo, chỉ đạo, "
           "hướng dẫn thực hiện rà soát; đôn đốc theo dõi tiến độ; việc thẩm định sơ bộ kết quả rà soát "
           "đối với "
           "{{ units_tier_lower }}; giám sát việc tổng hợp, báo cáo kết quả trình Chủ tịch "
           "{{ committee_ref }}.")
    d.para("+ Đối với {{ units_tier_lower }}: Giám sát công tác chỉ đạo triển khai và tổ chức thực "
           "hiện rà soát; việc tổ chức các hoạt động tuyên truyền về cuộc rà soát; đôn đốc theo dõi "
           "tiến độ; giám sát việc "
           "tổng hợp, báo cáo kết quả rà soát về Ban chỉ đạo cấp {{ level }}.")
    d.para("{%p endif %}")
    d.para("{%p endfor %}")
    d.heading("2. Các bước thực hiện", 2)
    d.heading("2.1. {{ tier }}", 2)
    d.bullet("Giao {{ office_short }} chuẩn bị các điều kiện phục vụ đoàn giám sát của {{ dept_short }} "
             "và báo cáo {{ committee_ref }} về kết quả giám sát.")
    d.bullet("Thông báo với {{ units_body }} về kế hoạch và lịch giám sát.")
    d.bullet("Chọn ngẫu nhiên {{ sample_communes }} {{ unit_noun }} để tiến hành giám sát, kiểm tra "
             "và tham vấn trực tiếp với đối tượng hưởng lợi từ Chương trình.")
    d.heading("2.2. {{ units_tier }}", 2)
    d.bullet("{{ units_body_cap }} báo cáo theo đề cương gửi kèm và gửi báo cáo về "
             "{{ committee_ref }} (qua {{ office_short }}) {{ deadline_words }} {{ deadline }}.")
    d.bullet("Đối với các {{ unit_noun }} được lựa chọn tiến hành giám sát, kiểm tra chuẩn bị các "
             "điều kiện phục vụ đoàn giám sát (báo cáo và các tài liệu liên quan đến các nội dung giám sát). "
             "Thành phần "
             "đoàn giám sát và lịch giám sát cụ thể được đính kèm theo Kế hoạch này (Phụ lục).")
    d.para("{%p if village_draw %}")  # a commune's plan draws its villages themselves (2.1)
    d.bullet("Chọn ngẫu nhiên các thôn/xóm/tổ dân phố để đoàn tiến hành giám sát, kiểm tra.")
    d.para("{%p endif %}")
    d.heading("IV. KINH PHÍ")
    _loop(d, "{%p for f in funding %}",
          "Sử dụng nguồn kinh phí thực hiện {{ f.funds_project }} - {{ programme }} được bố trí năm "
          "{{ year }} theo {{ f.kind }} số {{ f.number }} ngày "
          "{{ f.date|short_date }} của {{ f.issuer }} {{ f.summary }}.")
    d.heading("V. TỔ CHỨC THỰC HIỆN")
    d.para("1. {{ office_short }}: Chủ trì, phối hợp với các đơn vị có liên quan tham mưu thực hiện kế "
           "hoạch và trực tiếp triển khai công tác giám sát, đánh giá Chương trình.")
    _finance(d)
    d.para("Trên đây là Kế hoạch {{ summary_lower }}, yêu cầu các đơn vị và các địa phương triển khai "
           "thực hiện")
    d.close_body()
    d.signature(_COMMITTEE_SIGNER, _RECIPIENTS, "{{ archive }}")
    _plan_annex(d)
    return d


def _finance(d: OfficialDocument) -> None:
    """Item 2 of part V: the finance office's task, verbatim or allocating each funding line."""
    d.para("{%p if finance %}")
    d.para("{%p if finance.task %}")
    d.para("2. {{ finance.name }}: {{ finance.task }}")
    d.para("{%p else %}")
    _loop(d, "{%p for f in funding %}",
          "2. {{ finance.name }}: Căn cứ {{ f.kind }} số {{ f.number }} ngày {{ f.date|short_date }} "
          "của {{ f.issuer }} {{ f.summary }}, khẩn trương tham mưu {{ committee_ref }} phân bổ nguồn "
          "kinh phí thực hiện chương trình để các đơn vị kịp thời thực hiện các dự án theo quy định.")
    d.para("{%p endif %}")
    d.para("{%p endif %}")


def _plan_annex(d: OfficialDocument) -> None:
    d.annex("Phụ lục", "Thành phần đoàn giám sát và lịch giám sát",
            "(Kèm theo Kế hoạch số {{ plan_number }} ngày {{ plan_date }} của {{ committee_short }})")
    d.heading("I. THÀNH PHẦN ĐOÀN GIÁM SÁT")
    d.table(["TT", "Họ và tên", "Chức vụ, đơn vị", "Nhiệm vụ"],
            [["{%tr for m in team %}", "", "", ""],
             ["{{ loop.index }}", "{{ m.name }}", "{{ m.position }}", "{{ m.role }}"],
             ["{%tr endfor %}", "", "", ""]], widths_cm=[1.2, 4.3, 6.5, 3.0])
    d.heading("II. LỊCH GIÁM SÁT")
    d.table(["TT", "Nội dung", "Thời gian"],
            [["{%tr for s in schedule %}", "", ""],
             ["{{ loop.index }}", "{{ s.title }}", _WHEN],
             ["{%tr endfor %}", "", ""]], widths_cm=[1.2, 9.3, 4.5])
    d.para("Lịch làm việc cụ thể tại từng {{ unit_noun }} được chọn sẽ được thông báo sau khi chọn mẫu "
           "ngày {{ draw_on }}.", italic=True)


def build_letter_template() -> OfficialDocument:
    """The office's letter (công văn) to one unit announcing the plan, schedule and deadline."""
    d = OfficialDocument(parent_body="{{ PARENT_BODY }}", issuing_body="{{ ISSUING_BODY }}",
                         number_line="{{ number_line }}", place_date="{{ place_date }}",
                         subject_line="V/v {{ letter_summary }}")
    d.centered("Kính gửi: {{ unit_addressee }}", size=14, space_before=12)
    d.para()
    d.para("Thực hiện Kế hoạch số {{ plan_number }} ngày {{ plan_date }} của {{ committee_short }} về "
           "việc {{ summary_lower }}, {{ office_short }} thông báo tới {{ unit_addressee }} kế "
           "hoạch và lịch giám sát như sau:")
    d.heading("1. Nội dung giám sát", 2)
    _loop(d, "{%p for c in contents %}", "- {{ c.title }}.")
    d.heading("2. Báo cáo của {{ unit_kind }}", 2)
    d.para("{{ unit_body_cap }} báo cáo theo đề cương gửi kèm và gửi báo cáo về "
           "{{ committee_ref }} (qua {{ office_short }}, thư điện tử {{ office_email }}) "
           "{{ deadline_words }} {{ deadline }}.")
    d.heading("3. Lịch giám sát", 2)
    _loop(d, "{%p for s in schedule %}", "- " + _WHEN + ": {{ s.title }}.")
    d.para("Các {{ units_phrase }} được chọn giám sát chuẩn bị các tài liệu sau:")
    _loop(d, "{%p for doc in documents_to_prepare %}", "- {{ doc }}{{ '.' if loop.last else ';' }}")
    d.heading("4. Tài liệu gửi kèm", 2)
    d.para("- Kế hoạch số {{ plan_number }} ngày {{ plan_date }} của {{ committee_short }} (kèm Phụ "
           "lục thành phần đoàn và lịch giám sát);")
    d.para("- Đề cương báo cáo kết quả thực hiện (mẫu phiên bản {{ form_version }}).")
    d.para("Đề nghị {{ unit_addressee }} {{ unit_request }} đúng thời gian quy định")
    d.close_body()
    d.signature(_OFFICE_SIGNER, _RECIPIENTS, "{{ archive }}")
    return d


BUILDERS = {PLAN_TEMPLATE: build_plan_template, LETTER_TEMPLATE: build_letter_template}


def build_all(folder: Path = DOCX_TEMPLATES) -> list[Path]:
    """Write every template into ``folder``; returns the paths written."""
    return [builder().save(folder / name) for name, builder in BUILDERS.items()]


if __name__ == "__main__":
    for written in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCX_TEMPLATES):
        print(written)
