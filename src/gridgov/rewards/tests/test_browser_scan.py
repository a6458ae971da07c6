"""The till reads the member's QR code with the camera, in Chromium with a fake camera showing a real code; and
typing the code still works when the camera is refused.

The fake camera plays a Y4M video made here: the member's points QR code (segno, as the member's phone shows
it) on a grey ground, as YUV 4:2:0 frames. Screenshots go to ``/tmp/gg-pages/``.
"""

import io

import pytest
import segno
from PIL import Image

from gridgov.rewards import services
from gridgov.testing.browser import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, PHONE, logged_in, shoot

pytestmark = BROWSER_MARKS

WIDTH, HEIGHT, FRAMES = 640, 480, 10


def y4m_showing(text: str, path) -> str:
    """A short Y4M video (Chromium's fake camera loops it) of the QR code for ``text``."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=8, border=4)  # a full QR code: jsQR reads no Micro QR
    code = Image.open(buffer).convert("RGB")
    frame = Image.new("RGB", (WIDTH, HEIGHT), (128, 128, 128))
    frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(FRAMES):
            video.write(b"FRAME\n" + planes)
    return str(path)


@pytest.fixture
def camera_browser(browser, tmp_path, shop):
    """A Chromium whose camera shows the member's current points code. A context uses it once granted the
    camera (Playwright's ``permissions``); without the grant, the camera is refused."""
    issued = services.token_issue(person=shop.member)
    video = y4m_showing(issued.token, tmp_path / "member-code.y4m")
    fake = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    with_camera = browser.browser_type.launch(executable_path=CHROMIUM, args=fake)
    yield with_camera
    with_camera.close()


def test_the_till_reads_the_members_qr_code_with_the_camera(live_server, shop, camera_browser):
    context, clerk = logged_in(camera_browser, live_server.url, "clerk", PHONE, permissions=["camera"])
    refused = []
    clerk.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    try:
        clerk.goto(f"{live_server.url}/rewards/till/")
        clerk.get_by_test_id("scan").click()
        clerk.get_by_test_id("member-balance").wait_for(timeout=10000)  # read, sent, and the member shown
        assert clerk.get_by_test_id("member").inner_text() == "周**"
        assert clerk.get_by_test_id("member-balance").inner_text() == "100"
        shoot(clerk, "scan-1-member-read")
        clerk.locator("label", has_text="洗衣皂").click()
        clerk.get_by_test_id("confirm").click()
        clerk.get_by_test_id("receipt").wait_for()
        assert clerk.get_by_test_id("receipt-points").inner_text() == "30"
        assert refused == []  # the camera and the reader ran under the site's own policy
    finally:
        context.close()


def test_typing_the_code_still_works_when_the_camera_is_refused(live_server, shop, camera_browser):
    issued = services.token_issue(person=shop.member)
    context, clerk = logged_in(camera_browser, live_server.url, "clerk", PHONE)  # the camera is not granted
    try:
        clerk.goto(f"{live_server.url}/rewards/till/")
        clerk.get_by_test_id("scan").click()
        status = clerk.get_by_test_id("scan-status")
        status.filter(has_text="没有获得摄像头权限").wait_for()
        shoot(clerk, "scan-2-camera-refused")
        assert clerk.locator("video").is_hidden()
        clerk.fill("input[name=token]", issued.code_display)
        clerk.get_by_test_id("check").click()
        assert clerk.get_by_test_id("member-balance").inner_text() == "100"
    finally:
        context.close()
