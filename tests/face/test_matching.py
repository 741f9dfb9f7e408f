"""1:1 matching with the real models and the calibrated policy threshold."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from simkyc.domain.errors import InputError, UnsupportedMediaError
from simkyc.face.matching import FaceMatch, ReferenceCache, match_faces
from simkyc.face.pipelines import DEFAULT_PREPROCESSING, pipeline_id
from simkyc.media.images import read_image_file

FR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces" / "face_recognition"


@pytest.fixture(scope="module")
def id_reference(face_gen):
    """Obama's photo as a reader's chip photo (102x126, grey, JPEG q40)."""
    return read_image_file(face_gen.chip_reference(FR / "obama.jpg"))


def test_same_person_in_another_photo_matches_the_chip_photo(face_models, face_policy, face_mesh,
                                                       id_reference, fr_photo):
    r = match_faces(id_reference, fr_photo("obama3.jpg"), face_models, policy=face_policy,
                    mesh=face_mesh)
    assert isinstance(r, FaceMatch)
    assert r.decided and r.match, r.to_dict()
    assert r.distance is not None and r.distance <= r.threshold == face_policy.match_threshold
    assert r.model == pipeline_id(face_policy.model, face_policy.detector,
                                  DEFAULT_PREPROCESSING[face_policy.model])
    embedding = {"dlib": "dlib_face_recognition_resnet_model_v1", "sface": "sface_2021dec_int8bq"}
    assert r.model.startswith(embedding[face_policy.model] + "+")
    assert r.reference.role == "reference" and r.live.role == "live"
    assert r.reasons == ()


def test_different_person_does_not_match(face_models, face_policy, face_mesh, id_reference,
                                         fr_photo):
    r = match_faces(id_reference, fr_photo("biden.jpg"), face_models, policy=face_policy,
                    mesh=face_mesh)
    assert r.decided and not r.match
    assert r.distance is not None and r.distance > face_policy.match_threshold
    assert r.reasons[0] == "face_mismatch"


def test_different_people_in_two_good_photos(face_models, face_policy, face_mesh, fr_photo):
    r = match_faces(fr_photo("rose_leslie_img1.jpg"), fr_photo("kit_harington_john1.jpeg"),
                    face_models, policy=face_policy, mesh=face_mesh)
    assert r.decided and not r.match and "face_mismatch" in r.reasons


def test_close_face_but_failed_live_quality_is_no_match(face_models, face_policy, face_mesh,
                                                        fr_photo):
    r = match_faces(fr_photo("obama.jpg"), fr_photo("obama2.jpg"), face_models,
                    policy=face_policy, mesh=face_mesh)
    assert r.decided and r.distance is not None and r.distance < face_policy.match_threshold
    assert not r.match and r.reasons == ("live:head_turned",)


def test_several_faces_cannot_be_decided(face_models, face_policy, face_mesh, fr_photo):
    r = match_faces(fr_photo("obama.jpg"), fr_photo("two_people.jpg"), face_models,
                    policy=face_policy, mesh=face_mesh)
    assert not r.decided and not r.match and r.distance is None
    assert r.live.faces_found == 2 and r.reasons == ("live:multiple_faces",)


def test_bytes_are_decoded_once_and_bad_bytes_raise(face_models, face_policy, face_mesh):
    data = (FR / "obama_small.jpg").read_bytes()
    r = match_faces(data, data, face_models, policy=face_policy, mesh=face_mesh)
    # The reference chip is upscaled, smoothed and mirror-averaged, the live one is not,
    # so the same photo is close but not at distance 0 (dlib 0.06, SFace 0.18).
    assert r.decided and r.match and r.distance is not None
    assert 0 < r.distance < 0.4 * face_policy.match_threshold
    with pytest.raises(UnsupportedMediaError):
        match_faces(b"not an image at all", data, face_models, policy=face_policy)
    with pytest.raises(InputError):
        match_faces(data, data[: len(data) // 2], face_models, policy=face_policy)


def test_reference_cache_embeds_the_reference_once(face_models, face_policy, face_mesh,
                                                   id_reference, fr_photo):
    cache = ReferenceCache(max_entries=2)
    first = match_faces(id_reference, fr_photo("obama3.jpg"), face_models, policy=face_policy,
                        mesh=face_mesh, cache=cache)
    second = match_faces(id_reference, fr_photo("obama_small.jpg"), face_models,
                         policy=face_policy, mesh=face_mesh, cache=cache)
    assert (cache.misses, cache.hits, len(cache)) == (1, 1, 1)
    assert first.reference is second.reference  # the cached analysis, not a recomputation
    cache.clear()
    assert len(cache) == 0


def test_cache_drops_least_recently_used(face_models, face_policy, face_mesh, fr_photo):
    cache = ReferenceCache(max_entries=1)
    for ref in ("obama_small.jpg", "obama-240p.jpg"):
        match_faces(fr_photo(ref), fr_photo("obama_small.jpg"), face_models, policy=face_policy,
                    mesh=face_mesh, cache=cache)
    assert len(cache) == 1 and cache.misses == 2


def test_result_is_frozen_and_serialisable(face_models, face_policy, face_mesh, fr_photo):
    import json

    r = match_faces(fr_photo("obama_small.jpg"), fr_photo("obama_small.jpg"), face_models,
                    policy=face_policy, mesh=face_mesh)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.match = False  # type: ignore[misc]
    body = json.loads(json.dumps(r.to_dict()))
    assert set(body) >= {"match", "distance", "threshold", "model", "reference", "live"}
    assert body["live"]["faces_found"] == 1


def test_both_matchers_behind_the_same_verb(face_models, face_mesh, id_reference, fr_photo):
    """``policy.model`` picks the matcher; one cache never hands one matcher's reference
    embedding to the other; the old call without a policy still works."""
    from simkyc.domain.policy import DEFAULT_POLICY, FacePolicy

    cache = ReferenceCache()
    results = {}
    for model in ("dlib", "sface"):
        policy = dataclasses.replace(DEFAULT_POLICY.face, model=model)
        results[model] = match_faces(id_reference, fr_photo("obama3.jpg"), face_models,
                                     policy=policy, mesh=face_mesh, cache=cache)
        assert results[model].match and results[model].threshold == policy.match_threshold
    assert cache.misses == 2 and len(cache) == 2
    assert results["dlib"].model != results["sface"].model
    assert results["dlib"].threshold == FacePolicy().dlib_match_threshold
    assert results["sface"].threshold == FacePolicy().sface_match_threshold
    default = match_faces(id_reference, fr_photo("obama3.jpg"), face_models, mesh=face_mesh)
    assert default.model == results[DEFAULT_POLICY.face.model].model


def test_unknown_model_is_a_programming_error(face_models, face_mesh, fr_photo):
    from simkyc.domain.policy import FacePolicy

    with pytest.raises(ValueError, match="face model"):
        match_faces(fr_photo("obama_small.jpg"), fr_photo("obama_small.jpg"), face_models,
                    policy=FacePolicy(model="arcface"), mesh=face_mesh)
