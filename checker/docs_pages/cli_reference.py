"""The CLI reference page, walked from the click commands themselves, and the instructors' guide snippet that
says whether this version has `stagewise grade`."""

from __future__ import annotations

import re

import click

from checker.docs_pages import structure
from checker.docs_pages.markdown_helpers import admonition, code_fence, escape_table_cell
from checker.docs_pages.structure import NOTICE


def _cli_help(text: str | None) -> str:
    if not text:
        return ""
    text = text.split("\f", 1)[0]
    paras = [p.replace("\b\n", "").strip() for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(" ".join(p.split()) for p in paras if p)


def cli_commands() -> list[tuple[str, click.Command, click.Context]]:
    """Every command of `stagewise`, depth first: (full name, command, its context)."""
    from checker.cli import cli

    out: list[tuple[str, click.Command, click.Context]] = []

    def walk(cmd: click.Command, name: str, parent: click.Context | None) -> None:
        ctx = click.Context(cmd, info_name=name.split()[-1], parent=parent, **cmd.context_settings)
        out.append((name, cmd, ctx))
        if isinstance(cmd, click.Group):
            for sub in sorted(cmd.list_commands(ctx)):
                child = cmd.get_command(ctx, sub)
                if child is not None and not child.hidden:
                    walk(child, f"{name} {sub}", ctx)

    walk(cli, "stagewise", None)
    return out


def cli_anchor(name: str) -> str:
    return name.replace(" ", "-")


def cli_reference_markdown() -> str:
    commands = cli_commands()
    out = [NOTICE.format(source="the click commands in checker/cli.py"), "# CLI reference\n"]
    out.append("Every command and option of `stagewise`, generated from the command line definitions "
               "themselves: what you read here is what `stagewise COMMAND --help` prints.\n")
    out.append("| command | what it does |\n|---|---|")
    for name, cmd, _ctx in commands[1:]:
        summary = cmd.get_short_help_str(limit=100)
        out.append(f"| [`{name}`](#{cli_anchor(name)}) | {escape_table_cell(summary)} |")
    out.append("")
    for name, cmd, ctx in commands:
        depth = len(name.split())
        level = "#" * min(2 + max(depth - 2, 0), 4)
        out.append(f"{level} `{name}` {{#{cli_anchor(name)}}}\n")
        if help_text := _cli_help(cmd.help):
            out.append(help_text + "\n")
        usage = " ".join(cmd.collect_usage_pieces(ctx))
        out.append(code_fence(f"{ctx.command_path} {usage}".rstrip(), "text") + "\n")
        args = [p for p in cmd.get_params(ctx) if isinstance(p, click.Argument)]
        opts = [p for p in cmd.get_params(ctx) if isinstance(p, click.Option)]
        if args:
            out.append("**Arguments**\n")
            for arg in args:
                bits = [f"`{arg.human_readable_name}`", "required" if arg.required else "optional"]
                if not arg.required and arg.default is not None:
                    bits.append(f"default: `{arg.default}`")
                out.append(f"- {', '.join(bits)}")
            out.append("")
        if opts:
            out.append("**Options**\n")
            for opt in opts:
                record = opt.get_help_record(ctx)
                if record is None:
                    continue
                names, help_rec = record
                out.append(f"- `{names}`: {' '.join(help_rec.split()) or ''}".rstrip(": "))
            out.append("")
        if isinstance(cmd, click.Group):
            subs = [c for c in commands if c[0].startswith(name + " ") and len(c[0].split()) == depth + 1]
            if subs:
                out.append("**Commands:** " + ", ".join(f"[`{n.split()[-1]}`](#{cli_anchor(n)})" for n, _, _ in subs)
                           + "\n")
    return "\n".join(out)


def grade_status_markdown() -> str:
    """What the instructor guide says about `stagewise grade`: generated, so it says what this version has."""
    grade = "stagewise grade"
    if grade in {name for name, _, _ in cli_commands()}:
        reference = structure.link(structure.CLI_REFERENCE, structure.INSTRUCTORS, cli_anchor(grade))
        return admonition("success", f"`{grade}` is available", f"Its options are in the [CLI reference]({reference}).")
    return admonition("warning", f"`{grade}` is not in this version yet",
                      "The command is being built. Until it lands, grade a class with `stagewise check` in a "
                      "loop, as shown below: it already produces every report format the grading needs.")
