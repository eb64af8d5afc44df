import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..",
                                    ".."))


def _image(path):
    if not path or not os.path.exists(path):
        pytest.skip("no image at %r" % path)
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture(params=["own", "real"])
def image_bytes(request):
    """Our image (make image) and the real one ($SMALLWORLD_IMAGE)."""
    if request.param == "own":
        return _image(os.path.join(ROOT, "images", "spy.image"))
    return _image(os.environ.get("SMALLWORLD_IMAGE"))
