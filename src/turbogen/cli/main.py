"""`turbogen`: the command line. Thin: every command parses options and calls the library.

Heavy imports (torch, sentence-transformers) happen inside commands so `--help` stays instant.
"""
from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..errors import TurbogenError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="turbogen")
def cli() -> None:
    """turbogen: fast image generation with language models in the loop.

    \b
    A prompt goes to a planner that writes a ScenePlan (objects, colours, sizes, boxes,
    background, exclusions); generators draw it; verifiers read it back.

    \b
    Examples:
      turbogen plan "three small red stars above a large blue circle on black"
      turbogen plan --file prompts.txt > plans.jsonl
      turbogen data shapes --n 1000 --out shapes1k
      turbogen eval plans --planner default --json
      turbogen edit scene.png "make the circle green" -o green.png
    """


def _register_commands() -> None:
    import importlib
    for name in COMMAND_MODULES:   # each module adds its commands to `cli` when imported
        importlib.import_module(f"{__package__}.{name}")


COMMAND_MODULES = (
    "plan_cmd",
    "data_cmd",
    "eval_cmd",
    "eval_faithfulness_cmd",
    "eval_verifier_cmd",
    "generate_cmd",
    "train_cmd",
    "train_verifier_cmd",
    "train_distill_cmd",
    "train_shrink_cmd",
    "caption_cmd",
    "train_classic_cmd",
    "sample_cmd",
    "vae_cmd",
    "eval_model_cmd",
    "train_restore_cmd",
    "restore_cmd",
    "eval_restore_cmd",
    "accel_cmd",
    "bench_cmd",
    "edit_cmd",
    "vary_cmd",
    "inpaint_cmd",
    "eval_edits_cmd",
    "train_style_cmd",
    "train_adain_cmd",
    "stylize_cmd",
)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors become one clear line on stderr and a non-zero exit code."""
    _register_commands()
    try:
        # without standalone mode click returns an Exit's code instead of raising it
        code = cli.main(args=argv, prog_name="turbogen", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except TurbogenError as err:
        click.echo(f"error: {err}", err=True)
        return err.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except click.exceptions.Exit as err:
        return err.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except Exception as err:  # a bug, not a user mistake: say so, keep the trace opt-in
        if os.environ.get("TURBOGEN_DEBUG"):
            raise
        click.echo(f"internal error: {type(err).__name__}: {err}\n"
                   "This is a bug in turbogen; rerun with TURBOGEN_DEBUG=1 for the traceback.",
                   err=True)
        return 70


if __name__ == "__main__":
    # run as a script the command modules would register on the imported copy of this module,
    # not on this one: hand over to it
    from turbogen.cli.main import main as imported_main
    sys.exit(imported_main())
