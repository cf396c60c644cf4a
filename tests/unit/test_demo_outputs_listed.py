"""The demo's manifest lists the outbox's messages as ``sorted(outbox.rglob("*.eml"))`` did."""

import os

from giamsat.demo.summary import matching


def test_matching_lists_what_rglob_lists_in_its_order(tmp_path):
    root = tmp_path / "outbox"
    names = ["b.eml", "a-c.eml", ".hidden.eml", "UPPER.EML", "x.eml.bak", "z.txt", "a/b.eml", "a/c/d.eml",
             "a-c/e.eml", "a.b/f.eml", "Đ/g.eml", "0/1.eml", "a/c/n.eml/inner.eml"]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    (root / "folder.eml").mkdir()  # a folder matching the pattern is listed, as rglob lists it
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "linked.eml").write_bytes(b"x")
    os.symlink(outside, root / "link")  # a linked folder is not walked into
    os.symlink(outside, root / "link.eml")  # but listed when its name matches
    os.symlink(tmp_path / "missing", root / "broken.eml")
    expected = [str(p) for p in sorted(root.rglob("*.eml"))]
    assert matching(root, "*.eml") == expected
    assert str(root / "a/c/n.eml/inner.eml") in expected and str(root / "folder.eml") in expected
    assert matching(tmp_path / "none", "*.eml") == [] == list((tmp_path / "none").rglob("*.eml"))
