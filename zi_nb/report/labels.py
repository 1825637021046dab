"""The words of the LHE, in Bahasa Indonesia (default) and English (``lang="en"``): every label and sentence a
reader sees in the HTML, PDF and Word report comes from here."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Laporan Hasil Evaluasi Zona Integritas",
        "prereq": "Prasyarat %s: unit sudah berpredikat %s.", "unit": "Unit kerja", "instansi": "Instansi",
        "year": "Tahun", "rubric": "Rubrik", "current": "Predikat saat ini", "unknown": "tidak tercatat",
        "total": "Nilai total", "predicate": "Predikat", "criteria": "Kriteria predikat", "criterion": "Kriteria",
        "value": "Nilai", "minimum": "Minimum", "margin": "Selisih", "met": "Terpenuhi", "yes": "Ya", "no": "Tidak",
        "area": "Area", "weight": "Bobot", "pemenuhan": "Pemenuhan",
        "reform": "Reform", "share": "% bobot", "hasil": "Hasil", "part": "Komponen", "index": "Indeks survei",
        "min_wbk": "Min. WBK", "min_wbbm": "Min. WBBM", "pengungkit": "Pengungkit",
        "next": "Langkah menuju predikat berikutnya", "target": "Sasaran", "already": "Unit sudah memenuhi semua "
        "kriteria predikat tertinggi.", "changes_needed": "Perbaikan butir paling sedikit yang diperlukan",
        "item": "Butir", "question": "Pertanyaan", "from": "Dari", "to": "Menjadi", "shortfall": "Kekurangan",
        "index_needed": "Indeks minimal", "weakest": "Butir terlemah (nilai hilang terbesar)", "lost": "Nilai hilang",
        "answer": "Jawaban",
        "note": "Catatan unit", "evidence": "Bukti dukung", "crit_text": "Kriteria penilaian",
        "review": "Jawaban yang diubah penilai", "who": "Penilai", "when": "Waktu", "no_changes":
        "Tidak ada jawaban yang diubah penilai.", "problems": "Masalah data dari validasi", "severity": "Tingkat",
        "where": "Lokasi", "message": "Pesan", "no_problems": "Tidak ada masalah data.",
        "provenance": "Asal-usul laporan", "file": "Berkas", "policies": "Kebijakan", "versions": "Versi perangkat",
        "run_id": "Id proses", "hash": "Hash isi", "unanswered": "Butir belum dijawab",
        "method_next": "Dihitung dengan program bilangan bulat: jumlah butir paling sedikit, lalu usaha paling kecil "
        "(langkah pilihan jawaban), diverifikasi dengan menghitung ulang.",
        "status": "Status data", "counts": "%d galat data, %d peringatan; %d dari %d butir dijawab (%d belum dijawab)",
        "note_sementara": "Predikat belum dapat ditetapkan: data memuat galat (lihat Masalah data dari validasi). "
        "Perbaiki data lalu nilai ulang.",
        "note_belum lengkap": "Predikat bersifat sementara: belum semua butir dijawab pada tingkat ini.",
        "note_final": "Semua butir dijawab dan tidak ada galat data.",
        "reviewer_note": "Catatan penilai", "not_stated": "belum diisi", "period": "Periode evaluasi",
        "evaluated_by": "Dievaluasi oleh", "nomor": "Nomor", "date": "Tanggal",
        "simpulan": "Simpulan", "and": " dan ",
        "s_result": "Berdasarkan evaluasi {who}, {unit} memperoleh nilai total {total} dengan predikat {predicate}.",
        "s_provisional": "Berdasarkan evaluasi {who}, {unit} memperoleh nilai total {total}, tetapi predikat "
        "belum dapat ditetapkan karena data memuat {errors} galat; perbaiki data lalu nilai ulang.",
        "s_incomplete": "Predikat masih sementara: baru {answered} dari {scorable} butir dinilai.",
        "s_claim": "Nilai ini adalah klaim unit sendiri (penilaian mandiri), belum hasil penilaian TPI atau TPN.",
        "s_met": "Semua kriteria {predicate} terpenuhi; selisih terkecil pada {name} (+{margin}).",
        "s_unmet": "Kriteria {predicate} yang belum terpenuhi: {items}.",
        "s_short_item": "{name} kurang {shortfall}",
        "s_weakest": "Capaian area terendah: {areas}.",
        "areas_notes": "Nilai, catatan dan rekomendasi per area", "catatan": "Catatan", "rekomendasi": "Rekomendasi",
        "draft": "DRAF dari rubrik, belum ditinjau penilai", "by": "ditulis oleh", "failing": "belum memenuhi",
        "unit_notes": "Catatan dan rekomendasi untuk unit", "components": "Nilai per komponen",
        "p_reachable": "Untuk mencapai {target} diperlukan perbaikan pada {count} butir berikut; nilai total "
        "menjadi {total}.",
        "p_unreachable": "{target} tidak dapat dicapai hanya dengan memperbaiki jawaban LKE: kriteria berikut "
        "bergantung pada hasil survei atau capaian di luar LKE.",
        "p_partial": "Perbaikan {count} butir di bawah ini tetap diperlukan dan menaikkan nilai total menjadi "
        "{total}, tetapi belum cukup tanpa perbaikan hasil di atas.",
        "p_pending": "Langkah menuju predikat berikutnya disusun setelah data final (status data saat ini: "
        "{status}): perbaiki data atau selesaikan penilaian lebih dulu.",
        "action": "Tindakan", "current_answer": "Jawaban saat ini", "unanswered_short": "belum dijawab",
        "team": "Tim evaluasi", "name": "Nama", "nip": "NIP", "role": "Peran",
        "no_team": "Susunan tim belum diisi (berkas pengaturan evaluasi: tim).",
        "signature_head": "Ketua Tim", "sign_place_date": "{place}, {date}",
        "sign_unfinal": "Belum dapat ditandatangani sebagai LHE final: status data {status}.",
        "sign_claim": "Laporan ini memuat penilaian mandiri unit (PMPZI), klaim unit sendiri: bukan LHE yang "
        "ditandatangani tim penilai.",
        "role_ketua": "Ketua", "role_wakil ketua": "Wakil Ketua", "role_anggota": "Anggota",
        "role_sekretaris": "Sekretaris", "sev_error": "galat", "sev_warning": "peringatan", "sev_info": "info",
        "policy_used": "dipakai", "unit_claim": "jawaban unit",
        "page": "Halaman", "page_of": "dari",
        "made_by": "Dibuat dengan zi-nb {version} · rubrik {rubric} · id proses {run_id}",
    },
    "en": {
        "title": "Zona Integritas Evaluation Report",
        "prereq": "Prerequisite of %s: the unit already holds %s.", "unit": "Work unit", "instansi": "Agency",
        "year": "Year",
        "rubric": "Rubric", "current": "Current predicate", "unknown": "not recorded", "total": "Total score",
        "predicate": "Predicate", "criteria": "Predicate criteria", "criterion": "Criterion", "value": "Value",
        "minimum": "Minimum", "margin": "Margin", "met": "Met", "yes": "Yes", "no": "No",
        "area": "Area", "weight": "Weight", "pemenuhan": "Pemenuhan",
        "reform": "Reform", "share": "% of weight", "hasil": "Results (hasil)", "part": "Component",
        "index": "Survey index", "min_wbk": "WBK min.", "min_wbbm": "WBBM min.", "pengungkit": "Pengungkit",
        "next": "What it takes to reach the next predicate", "target": "Target", "already": "The unit already meets "
        "every criterion of the highest predicate.", "changes_needed": "Fewest item improvements needed",
        "item": "Item", "question": "Question", "from": "From", "to": "To", "shortfall": "Shortfall",
        "index_needed": "Index needed", "weakest": "Weakest items (largest points lost)", "lost": "Points lost",
        "answer": "Answer",
        "note": "Unit's note", "evidence": "Evidence", "crit_text": "Scoring criteria",
        "review": "Answers changed by reviewers", "who": "Reviewer", "when": "When",
        "no_changes": "No answer was changed by a reviewer.", "problems": "Data problems found by validation",
        "severity": "Severity", "where": "Location", "message": "Message", "no_problems": "No data problems.",
        "provenance": "Provenance", "file": "File", "policies": "Policies", "versions": "Software versions",
        "run_id": "Run id", "hash": "Content hash", "unanswered": "Unanswered items",
        "method_next": "Computed with an integer program: fewest items, then least effort (answer steps), verified "
        "by re-scoring.",
        "status": "Data status", "counts": "%d data errors, %d warnings; %d of %d items answered (%d unanswered)",
        "note_sementara": "The predicate cannot be determined yet: the data holds errors (see Data problems found by "
        "validation). Correct the data and score again.",
        "note_belum lengkap": "The predicate is provisional: not every item is answered in this tier.",
        "note_final": "Every item is answered and the data holds no error.",
        "reviewer_note": "Reviewer's note", "not_stated": "not stated", "period": "Evaluation period",
        "evaluated_by": "Evaluated by", "nomor": "Number", "date": "Date",
        "simpulan": "Conclusion", "and": " and ",
        "s_result": "According to the evaluation by {who}, {unit} scores {total} in total with the predicate "
        "{predicate}.",
        "s_provisional": "According to the evaluation by {who}, {unit} scores {total} in total, but the predicate "
        "cannot be determined yet: the data holds {errors} errors; correct the data and score again.",
        "s_incomplete": "The predicate is provisional: {answered} of {scorable} items are assessed.",
        "s_claim": "This score is the unit's own claim (self-assessment), not yet a TPI or TPN assessment.",
        "s_met": "Every criterion of {predicate} is met; the smallest margin is {name} (+{margin}).",
        "s_unmet": "Criteria of {predicate} not met: {items}.",
        "s_short_item": "{name} short by {shortfall}",
        "s_weakest": "Weakest areas: {areas}.",
        "areas_notes": "Scores, notes and recommendations by area", "catatan": "Notes",
        "rekomendasi": "Recommendations", "draft": "DRAFT from the rubric, not yet reviewed", "by": "written by",
        "failing": "not met", "unit_notes": "Notes and recommendations for the unit",
        "components": "Scores by component",
        "p_reachable": "Reaching {target} takes improving the {count} items below; the total becomes {total}.",
        "p_unreachable": "{target} cannot be reached by improving LKE answers alone: the criteria below depend on "
        "survey results or achievements outside the LKE.",
        "p_partial": "The {count} item improvements below are still needed and raise the total to {total}, but are "
        "not enough without better results above.",
        "p_pending": "The steps to the next predicate are worked out once the data is final (data status now: "
        "{status}): correct the data or finish the assessment first.",
        "action": "Action", "current_answer": "Current answer", "unanswered_short": "unanswered",
        "team": "Evaluation team", "name": "Name", "nip": "NIP", "role": "Role",
        "no_team": "The team is not stated (evaluation settings file: tim).",
        "signature_head": "Team leader", "sign_place_date": "{place}, {date}",
        "sign_unfinal": "Cannot be signed as a final LHE: data status {status}.",
        "sign_claim": "This report holds the unit's self-assessment (PMPZI), the unit's own claim: not an LHE signed "
        "by the evaluation team.",
        "role_ketua": "Leader", "role_wakil ketua": "Deputy leader", "role_anggota": "Member",
        "role_sekretaris": "Secretary", "sev_error": "error", "sev_warning": "warning", "sev_info": "info",
        "policy_used": "used", "unit_claim": "unit's answer", "page": "Page", "page_of": "of",
        "made_by": "Made with zi-nb {version} · rubric {rubric} · run id {run_id}",
    },
}
