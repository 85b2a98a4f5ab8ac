"""Recipe: a smaller text2img model, pruned from the teacher and fine-tuned by distillation.

`turbogen train shrink --teacher text2img-shapes64 --prune 0.5` runs this: accel/prune.py
removes channels (and optionally blocks), accel/kd.py fine-tunes the result against the frozen
fp32 teacher on the teacher's own fresh-scene stream. The folder written is a plain text2img
checkpoint (narrower `channels` in config.json) plus `student.json`, which names the teacher so
that `student=DIR` accepts it only as a student of that teacher. The card compares teacher,
pruned-without-fine-tune and student on the same held-out plans and seeds.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import torch

from ...accel.distill import frozen_teacher
from ...accel.kd import KDBatches, ShrinkConfig, kd_loss_fn
from ...accel.prune import pruned_channels, shrink_unet
from ...accel.student import STUDENT_FILE
from ...configs import config_to_dict
from ...eval.image_metrics import batch_metrics
from ...io_atomic import atomic_write_text
from ...models.unet import count_parameters
from ...pipelines.text2img_model import load_text2img, save_text2img
from ...text import text_encoder
from ..callbacks import eval_model
from ..checkpoint import earlier_run
from ..loop import pick_device
from .student_run import held_out, metrics_table, run_summary, scene_stream, student_trainer
from .text2img_shapes64 import generate


def write_student_file(folder: Path, teacher_name: str, teacher_config) -> None:
    """What `student=DIR` checks: the teacher this network was shrunk from."""
    data = {"method": "shrink", "teacher": str(teacher_name),
            "teacher_unet": config_to_dict(teacher_config.unet),
            "teacher_objective": config_to_dict(teacher_config.objective)}
    atomic_write_text(folder / STUDENT_FILE, json.dumps(data, indent=2) + "\n")


def run_shrink(teacher_name: str, sc: ShrinkConfig, out: str | Path, *, seed: int = 0,
               resume: bool = False, log=print) -> dict:
    """Prune, fine-tune, then write the student (config.json, model.safetensors, card.md...)."""
    out = Path(out)
    earlier_run(out / "checkpoints", resume)
    wall0 = time.perf_counter()
    device = pick_device()
    net, config = load_text2img(teacher_name, device)
    torch.manual_seed(seed)
    teacher, student, pruned, kept = shrunk_pair(net, sc)
    s_config = replace(config, unet=student.config)
    encode = text_encoder(config.text_encoder)
    plans, emb, sample_fn = held_out(sc, encode, s_config)
    stream = scene_stream(sc, seed, encode, device)
    trainer = student_trainer(student, KDBatches(stream, teacher, config.objective, kept,
                                                 sc.bf16),
                              kd_loss_fn(sc), sc, out, recipe="shrink", label="shrink",
                              title="shrink: KD fine-tune", sample_fn=sample_fn, stream=stream,
                              device=device, seed=seed, resume=resume, log=log)
    s_unet = student.config
    log(f"shrinking {teacher_name} {list(config.unet.channels)} -> {list(s_unet.channels)} "
        f"(blocks {s_unet.blocks}, mid {s_unet.mid}): "
        f"{count_parameters(teacher) / 1e6:.2f}M -> {count_parameters(student) / 1e6:.2f}M "
        f"parameters on {device}")
    trainer.fit()
    final = eval_model(trainer)
    rows = {name: batch_metrics(generate(m, s_config if m is not teacher else config, plans,
                                         emb), plans)
            for name, m in (("teacher", teacher), ("pruned, no fine-tune", pruned),
                            ("student (pruned + KD fine-tune)", final))}
    save_text2img(out, final, s_config)
    write_student_file(out, teacher_name, config)
    summary = run_summary(
        trainer, teacher_name, seed, sc, wall0,
        parameters={"teacher": count_parameters(teacher), "student": count_parameters(final)},
        teacher_unet=config_to_dict(config.unet), unet=config_to_dict(s_config.unet),
        metrics=rows, sampling=f"{config.sampler} x {config.steps}")
    write_shrink_card(out, summary)
    return summary


def shrunk_pair(net, sc: ShrinkConfig):
    """(frozen teacher, trainable student, frozen pruned copy, kept channel indices)."""
    teacher = frozen_teacher(net)
    widths = sc.channels or pruned_channels(net.config, sc.prune)
    student, kept = shrink_unet(teacher, widths, blocks=sc.blocks, mid=sc.mid)
    pruned = frozen_teacher(student)              # the no-fine-tune baseline, for the card
    student.train()
    for p in student.parameters():
        p.requires_grad_(True)
    if sc.channels_last:
        teacher = teacher.to(memory_format=torch.channels_last)
        student = student.to(memory_format=torch.channels_last)
    return teacher, student, pruned, kept


def _command(summary: dict) -> str:
    sc = summary["config"]
    shape = (f"--channels {','.join(map(str, sc['channels']))}" if sc["channels"]
             else f"--prune {sc['prune']:g}")
    extra = (f" --blocks {sc['blocks']}" if sc["blocks"] else "") + \
        ("" if sc["mid"] else " --drop-mid")
    return (f"turbogen train shrink --teacher {summary['teacher']} {shape}{extra} "
            f"--minutes {sc['minutes']:g} --feature-weight {sc['feature_weight']:g} "
            f"--task-weight {sc['task_weight']:g} --seed {summary['seed']}")


def write_shrink_card(folder: Path, summary: dict) -> None:
    sc, params = summary["config"], summary["parameters"]
    t_unet, s_unet = summary["teacher_unet"], summary["unet"]
    lines = [
        f"# text2img, shrunk to channels {s_unet['channels']}",
        "",
        f"`{summary['teacher']}` (channels {t_unet['channels']}, {params['teacher']:,} "
        f"parameters) with whole channels removed by L1 importance (accel/prune.py), "
        f"blocks per level {s_unet['blocks']}, mid block {'kept' if s_unet['mid'] else 'dropped'}"
        f": {params['student']:,} parameters ({params['student'] * 4 / 1e6:.1f} MB fp32), then "
        "fine-tuned to match the fp32 teacher (accel/kd.py). Use it with the recipe "
        "`student=DIR` or `turbogen generate --model DIR`.",
        "",
        "## How it was made",
        "",
        f"- command: `{_command(summary)}`",
        f"- loss: {sc['output_weight']:g} x output KD + {sc['feature_weight']:g} x feature KD "
        f"(up-block outputs) + {sc['task_weight']:g} x flow-matching loss",
        f"- {summary['steps']} steps at batch {sc['batch_size']} = {summary['images_seen']:,} "
        f"images ({summary['stop_reason']}), lr {sc['lr']} cosine to 0, EMA {sc['ema_decay']}",
        f"- training time: {summary['train_minutes']:.1f} min of training loop "
        f"({summary['wall_minutes']:.1f} min wall incl. evaluation) on {summary['device']} "
        f"({summary['machine']}), torch {summary['torch']}",
        f"- final loss (last 10 steps): {summary['final_loss']:.5f}",
        "",
        f"## How well it draws ({sc['eval_n']} held-out plans, {summary['sampling']}, same "
        "seeds in every row)",
        "",
        *metrics_table(summary["metrics"], "model"),
        "",
        "Speed: `turbogen bench -m student=DIR` (README, Acceleration).",
        "`samples.png`: (exact render | student) pairs; `loss_curve.png`: the loss.", ""]
    atomic_write_text(folder / "card.md", "\n".join(lines))
    atomic_write_text(folder / "train_summary.json", json.dumps(summary, indent=2) + "\n")
