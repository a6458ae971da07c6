"""``gridgov geo import FILE [--crs gcj02]`` and ``gridgov geo export CODE``: boundaries from and to GeoJSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.errors import DomainError
from gridgov.geo import selectors, services
from gridgov.geo.geometry import CRS_CHOICES, WGS84
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import SYSTEM


class Command(BaseCommand):
    # Plain Chinese text, not lazy translations: argparse formats --help before any translation is active.
    help = ("边界（GeoJSON）的导入与导出。import FILE：导入 FeatureCollection，每个要素的 properties.code 为节点编码；"
            "全部检查通过才写入，否则列出每个要素的问题且不写入任何内容。export CODE：把该节点及其下级的边界"
            "输出为 GeoJSON（可原样再导入）。")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "export"], help="import：导入文件；export：导出节点的边界")
        parser.add_argument("target", help="import 时为 GeoJSON 文件路径；export 时为节点编码（如 FY）")
        parser.add_argument("--crs", choices=CRS_CHOICES, default=WGS84,
                            help="导入文件的坐标系：wgs84（默认，GPS 与 GIS 导出）或 gcj02（高德、腾讯地图坐标，导入时转为 WGS-84）")
        parser.add_argument("--output", "-o", help="export 时写入的文件（默认输出到屏幕）")

    def handle(self, *args, action, target, crs=WGS84, output=None, **options):
        if action == "import":
            self._import(Path(target), crs)
        else:
            self._export(target, output)

    def _import(self, path: Path, crs: str) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        with path.open("rb") as file:
            try:
                result = services.boundaries_import(actor=SYSTEM, file=file, crs=crs)
            except DomainError as refusal:
                raise CommandError(str(refusal.message)) from None
        if not result.ok:
            for error in result.errors:
                where = f"要素 {error.feature}" if error.feature else "文件"
                code = f" {error.code}" if error.code else ""
                self.stderr.write(f"{where}{code}：{error.message}")
            raise CommandError(f"共 {len(result.errors)} 个问题，未导入任何内容。")
        self.stdout.write(f"{result.features} 个要素：新建 {result.created}，更新 {result.updated}，"
                          f"未变 {result.unchanged}")

    def _export(self, code: str, output: str | None) -> None:
        node = Node.objects.filter(code=code).first()
        if node is None:
            raise CommandError(f"没有编码为 {code} 的节点")
        text = selectors.boundaries_export_text(node=node)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"已写入 {output}")
        else:
            self.stdout.write(text, ending="")
