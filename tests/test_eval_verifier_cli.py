"""`turbogen eval verifier`: the bundled reader scored on fresh scenes; its mistakes."""
import json

from turbogen.cli.main import main


def test_json_report(capsys):
    code = main(["eval", "verifier", "--n", "8", "--condition", "exact", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (report,) = json.loads(out)["conditions"]
    assert report["degradation"] == "exact" and report["objects"] > 0
    assert report["agreement"] >= 0.9      # 8 exact renders: the reader finds their objects


def test_unknown_condition(capsys):
    code = main(["eval", "verifier", "--n", "2", "--condition", "foggy"])
    _, err = capsys.readouterr()
    assert code == 2 and "foggy" in err and "exact" in err
