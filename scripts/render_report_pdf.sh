#!/usr/bin/env bash
# Look at the exports as they print: the demo's 2021 呈贡分局 report (.docx), its 自评表 (.xlsx) and
# the district's 2021 Q4 quarter summary (.xlsx, with the unapproved reports) are built with `manage.py export_report` into a throwaway database, converted to PDF with
# LibreOffice (headless) and cut into PNG pages with pdftoppm, all under var/render/ (git-ignored).
#
#   ./scripts/render_report_pdf.sh            # then open var/render/*.png
#   RENDER_DPI=110 ./scripts/render_report_pdf.sh
#
# Needs: apt-get install -y libreoffice-writer libreoffice-calc poppler-utils fonts-noto-cjk
# (without the official 仿宋_GB2312/方正小标宋简体 fonts LibreOffice falls back to Noto CJK).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=var/render
DPI=${RENDER_DPI:-80}
for tool in soffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "缺少 $tool：apt-get install -y libreoffice-writer libreoffice-calc poppler-utils" >&2; exit 1; }
done
rm -rf "$OUT" && mkdir -p "$OUT"
# A database of its own: the demo is loaded fresh and nobody's working data is touched.
export DATABASE_URL="sqlite:///$PWD/$OUT/render.sqlite3"
export DJANGO_SETTINGS_MODULE=evalsite.settings.dev
PY=.venv/bin/python
$PY manage.py migrate --noinput >/dev/null
$PY manage.py load_demo >/dev/null
$PY manage.py export_report --department CG-GAFJ --year 2021 --format docx --out "$OUT/report.docx"
$PY manage.py export_report --department CG-GAFJ --year 2021 --format xlsx --out "$OUT/self_evaluation.xlsx"
$PY manage.py export_quarter --year 2021 --quarter 4 --include-unapproved --out "$OUT/quarter_summary.xlsx"
# A private LibreOffice profile, so a desktop LibreOffice that is open does not swallow the conversion.
PROFILE="file://$PWD/$OUT/lo-profile"
for file in report.docx self_evaluation.xlsx quarter_summary.xlsx; do
  soffice -env:UserInstallation="$PROFILE" --headless --convert-to pdf --outdir "$OUT" "$OUT/$file" >/dev/null
done
pdftoppm -png -r "$DPI" "$OUT/report.pdf" "$OUT/report"
pdftoppm -png -r "$DPI" "$OUT/self_evaluation.pdf" "$OUT/self_evaluation"
pdftoppm -png -r "$DPI" "$OUT/quarter_summary.pdf" "$OUT/quarter_summary"
rm -rf "$OUT/lo-profile"
ls "$OUT"/*.png | sed 's/^/  /'
echo "页面图片在 $OUT/（报告 $(ls "$OUT"/report-*.png | wc -l) 页，自评表 $(ls "$OUT"/self_evaluation-*.png | wc -l) 页，季度汇总表 $(ls "$OUT"/quarter_summary-*.png | wc -l) 页）。"
