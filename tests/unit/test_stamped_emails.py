"""E-mails rendered once per shape and stamped per unit equal those rendered in full."""

from jinja2 import Environment

from giamsat.messaging.templates import StampedEmails

ENV = Environment(autoescape=True)


def _renderer(subject: str, text: str, html: str):
    calls = []

    def render(ctx: dict) -> tuple[str, str, str]:
        calls.append(ctx)
        return (Environment().from_string(subject).render(ctx), Environment().from_string(text).render(ctx),
                ENV.from_string(html).render(ctx))
    return StampedEmails(render), calls


def test_stamped_emails_equal_full_renders_with_html_escaped_names():
    emails, calls = _renderer("Nhắc {{ unit_name }}", "Kính gửi UBND {{ unit_name }}",
                              "<b>{{ unit_name }}</b>")
    names = ["Xã A", 'Xã "B" <C> & D', "Xã  Ông   Ích"]
    got = [emails.render(("report",), {}, {"unit_name": n}) for n in names]
    assert got[1] == ('Nhắc Xã "B" <C> & D', 'Kính gửi UBND Xã "B" <C> & D',
                      "<b>Xã &#34;B&#34; &lt;C&gt; &amp; D</b>")
    assert got[2][0] == "Nhắc Xã Ông Ích"
    assert len(calls) == 2  # the first name twice (tokens, then the check), the others by substitution


def test_a_template_that_transforms_the_name_is_rendered_in_full_every_time():
    emails, calls = _renderer("{{ unit_name|upper }}", "{{ unit_name }}", "{{ unit_name }}")
    assert emails.render((), {}, {"unit_name": "Xã a"})[0] == "XÃ A"
    assert emails.render((), {}, {"unit_name": "Xã b"})[0] == "XÃ B"
    assert len(calls) == 3


def test_an_e_mail_alone_of_its_shape_is_rendered_once():
    emails, calls = _renderer("Nhắc {{ unit_name }}", "{{ errors }} — {{ unit_name }}", "<i>{{ errors }}</i>")
    got = [emails.render(("returned", e), {"errors": e}, {"unit_name": f"Xã {e}"}) for e in ("a", "b", "c")]
    assert got[1] == ("Nhắc Xã b", "b — Xã b", "<i>b</i>")
    assert len(calls) == 3  # each its own shape: no second render with tokens


def test_the_second_e_mail_of_a_shape_is_stamped_from_the_first_ones_check():
    emails, calls = _renderer("{{ unit_name }}", "{{ unit_name }}!", "{{ unit_name }}")
    names = ["Xã A", "Xã <B>", "Xã C"]
    got = [emails.render(("s",), {}, {"unit_name": n}) for n in names]
    assert got == [("Xã A", "Xã A!", "Xã A"), ("Xã <B>", "Xã <B>!", "Xã &lt;B&gt;"),
                   ("Xã C", "Xã C!", "Xã C")]
    assert len(calls) == 2 and calls[1] == {"unit_name": "\ue0000\ue001"}
