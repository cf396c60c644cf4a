"""Typer's help screens and usage errors in Vietnamese.

Typer 0.29 carries its own copy of Click whose words are plain English strings (no gettext), so
they are replaced where Typer prints them: the panel titles and hints of ``typer.rich_utils``, the
"Usage:" prefix and the ``[OPTIONS]``/``COMMAND [ARGS]...`` placeholders, the help option's text,
the ``<bool>``/``<str>`` type column, and every usage error (translated from the exception's own
fields, not by guessing at its English text where the fields are enough).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from rich.markup import escape

_INSTALLED = False
HELP_TEXT = "Hiện hướng dẫn này rồi thoát."
USAGE = "Cách dùng: "
_PIECES = {"[OPTIONS]": "[TÙY CHỌN]", "COMMAND [ARGS]...": "LỆNH [THAM SỐ]..."}
TYPES = {"str": "chữ", "int": "số", "float": "số", "Path": "đường dẫn", "path": "đường dẫn",
         "file": "tệp", "directory": "thư mục", "datetime": "thời điểm", "UUID": "mã"}
# Placeholders the commands give their options (``metavar``), as an officer reads them.
METAVARS = {"DATE": "NGÀY", "PATH": "TỆP", "NAME": "TÊN", "CODE": "MÃ", "TEXT": "CHỮ",
            "FILE": "TỆP", "DATETIME": "THỜI_ĐIỂM", "CSV": "TỆP_CSV", "N": "SỐ", "D": "NGÀY",
            "FILE.pdf": "TỆP.pdf", "KEY": "MÃ", "ARCHIVE": "TỆP_LƯU_TRỮ", "OUT.tar.gz": "TỆP.tar.gz",
            "FILE.csv": "TỆP.csv", "OUT": "TỆP"}
# Arguments named by their Python parameter (no metavar), as the usage line and errors show them.
ARGUMENTS = {"draw_id": "SỐ_LƯỢT", "visit_id": "SỐ_CUỘC", "message_id": "SỐ_THƯ", "unit_code": "MÃ",
             "file": "TỆP", "path": "TỆP", "step": "BƯỚC", "source": "TỆP", "out": "TỆP"}
_TYPE_WORDS = {"integer": "số nguyên", "int": "số nguyên", "float": "số", "boolean": "có/không",
               "bool": "có/không", "str": "chữ", "UUID": "mã UUID"}

# Messages raised as plain text inside Typer's Click (after the fields-based cases below).
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?$", re.S),
     "Không có lệnh '{0}'.{1}"),
    (re.compile(r"Missing command\.?$"), "Thiếu tên lệnh (xem danh sách lệnh bằng --help)."),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", re.S), "Thừa tham số: {0}."),
    (re.compile(r"Input should be a valid (\w+).*$"), "phải là {0} hợp lệ."),
    (re.compile(r"Input should be greater than or equal to (.+)$"), "phải lớn hơn hoặc bằng {0}."),
    (re.compile(r"Input should be less than or equal to (.+)$"), "phải nhỏ hơn hoặc bằng {0}."),
    (re.compile(r"Input should be greater than (.+)$"), "phải lớn hơn {0}."),
    (re.compile(r"Input should be less than (.+)$"), "phải nhỏ hơn {0}."),
    (re.compile(r"Option '(.+?)' requires (?:an argument|\d+ arguments)\.$"),
     "Tùy chọn {0} cần một giá trị."),
    (re.compile(r"Option '(.+?)' does not take a value\.$"), "Tùy chọn {0} không nhận giá trị."),
    (re.compile(r"Value (.+?) is not a valid (\w+)\.$"), "{0} không phải là {1} hợp lệ."),
    (re.compile(r"(.+?) is not a valid (\w+)\.$"), "{0} không phải là {1} hợp lệ."),
    (re.compile(r"(.+?) is not in the range (.+)\.$"), "{0} nằm ngoài khoảng cho phép {1}."),
    (re.compile(r"(?:File|Path|Directory) '(.+?)' does not exist\.$"), "Không có tệp '{0}'."),
    (re.compile(r"(?:File|Path) '(.+?)' is a directory\.$"), "'{0}' là thư mục, không phải tệp."),
    (re.compile(r"(.+?) is not one of (.+)\.$"), "{0} không thuộc các giá trị: {1}."),
]


def _text(message: str) -> str:
    for pattern, template in _MESSAGES:
        m = pattern.match(message.strip())
        if m is None:
            continue
        groups = [g or "" for g in m.groups()]
        if pattern.pattern.startswith("No such command") and groups[1]:
            groups[1] = f" Có phải ý bạn là {groups[1]}?"
        groups = [_TYPE_WORDS.get(g, g) for g in groups]
        return template.format(*groups)
    return message


def _hint(exc: Any) -> str:
    from typer._click.exceptions import _join_param_hints

    if getattr(exc, "param_hint", None) is not None:
        return str(_join_param_hints(exc.param_hint))
    if getattr(exc, "param", None) is not None:
        return str(exc.param.get_error_hint())
    return ""


def message(exc: Any) -> str:
    """The Vietnamese wording of a usage error raised while Typer parsed the command line."""
    from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption

    if isinstance(exc, NoSuchOption):
        text = f"Không có tùy chọn {exc.option_name}."
        if exc.possibilities:
            text += f" Có phải ý bạn là {', '.join(sorted(exc.possibilities))}?"
        return text
    if isinstance(exc, MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "")
        what = {"argument": "tham số", "option": "tùy chọn"}.get(kind, "giá trị")
        hint = _hint(exc)
        return f"Thiếu {what} {hint}.".replace(" .", ".")
    if isinstance(exc, BadParameter):
        hint = _hint(exc)
        where = f" của {hint}" if hint else ""
        return f"Giá trị không hợp lệ{where}: {_text(exc.message)}"
    return _text(exc.format_message())


def _format_error(exc: Any) -> None:
    """Typer's error panel, in Vietnamese (replaces ``typer.rich_utils.rich_format_error``)."""
    from rich.panel import Panel
    from typer import rich_utils as ru

    if exc.__class__.__name__ == "NoArgsIsHelpError":
        return
    console = ru._get_rich_console(stderr=True)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        console.print(ru.highlighter(ctx.get_usage()), style=ru.STYLE_USAGE_COMMAND)
        if ctx.command.get_help_option(ctx) is not None:
            console.print(ru.RICH_HELP.format(command_path=escape(ctx.command_path),
                                              help_option=ctx.help_option_names[0]),
                          style=ru.STYLE_ERRORS_SUGGESTION)
    console.print(Panel(escape(message(exc)), border_style=ru.STYLE_ERRORS_PANEL_BORDER,
                        title=ru.ERRORS_PANEL_TITLE, title_align=ru.ALIGN_ERRORS_PANEL))


def _vietnamese_type(display: Any) -> Any:
    """Wrap ``display_type_rich``: no ``<bool>`` for a switch, Vietnamese type and placeholder names."""
    def shown(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and self.metavar is None:
            return None  # a switch takes no value
        text = display(self, ctx)
        if text and text.startswith("<") and text.endswith(">"):
            return f"<{TYPES.get(text[1:-1], text[1:-1])}>"
        return METAVARS.get(text, text) if text else text
    return shown


def install() -> None:
    """Put the Vietnamese words in place (idempotent; call before the app runs)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from typer import core, rich_utils
    from typer._click import core as click_core
    from typer._click import decorators, formatting

    rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
    rich_utils.ARGUMENTS_PANEL_TITLE = "Tham số"
    rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
    rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
    rich_utils.ABORTED_TEXT = "Đã dừng."
    rich_utils.DEFAULT_STRING = "[mặc định: {}]"
    rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
    rich_utils.DEPRECATED_STRING = "(không còn dùng) "
    rich_utils.RICH_HELP = "Xem hướng dẫn: [blue]{command_path} {help_option}[/]"
    rich_utils.rich_format_error = _format_error  # type: ignore[assignment]

    write_usage = formatting.HelpFormatter.write_usage

    def _write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, USAGE if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = _write_usage  # type: ignore[method-assign]

    pieces = click_core.Command.collect_usage_pieces

    def _pieces(self: Any, ctx: Any) -> list[str]:
        return [_PIECES.get(p, p) for p in pieces(self, ctx)]

    click_core.Command.collect_usage_pieces = _pieces  # type: ignore[method-assign]
    group_pieces = core.TyperGroup.collect_usage_pieces

    def _group_pieces(self: Any, ctx: Any) -> list[str]:
        return [_PIECES.get(p, p) for p in group_pieces(self, ctx)]

    core.TyperGroup.collect_usage_pieces = _group_pieces  # type: ignore[method-assign]

    make_help = decorators.help_option

    def _help_option(param_decls: list[str]) -> Any:
        decorate = make_help(param_decls)

        def apply(command: Any) -> Any:
            command = decorate(command)
            command.params[-1].help = HELP_TEXT
            return command
        return apply

    decorators.help_option = _help_option

    raw_name: Any = inspect.getattr_static(core.TyperArgument, "display_name_raw").fget

    def _argument_name(self: Any) -> str:
        name = raw_name(self)
        return METAVARS.get(name) or ARGUMENTS.get(name, name)

    core.TyperArgument.display_name_raw = property(_argument_name)  # type: ignore[method-assign,assignment]
    core.TyperOption.display_type_rich = _vietnamese_type(  # type: ignore[method-assign]
        core.TyperOption.display_type_rich)
    core.TyperArgument.display_type_rich = _vietnamese_type(  # type: ignore[method-assign]
        core.TyperArgument.display_type_rich)
    _INSTALLED = True
