/* /v1/chat, /v1/feedback and staff replies over wx.request, with Chinese errors:
 * a 422 (or any error body) shows the server's message; no network shows a retry hint. */
var config = require("../config.js");

var NETWORK = "网络连接失败，请检查网络后重试。";
var SERVER = "服务暂时出现问题，请稍后再试，或拨打12345咨询。";

function call(method, path, data) {
  return new Promise(function (resolve, reject) {
    wx.request({
      url: config.baseUrl.replace(/\/$/, "") + path,
      method: method,
      data: data,
      header: { "Content-Type": "application/json", "Accept": "application/json" },
      timeout: 30000,
      success: function (res) {
        var body = res.data;
        if (typeof body === "string") { try { body = JSON.parse(body); } catch (e) { body = null; } }
        if (res.statusCode >= 200 && res.statusCode < 300) return resolve(body || {});
        var message = body && body.error && body.error.message;
        reject({ status: res.statusCode, message: message || (res.statusCode >= 500 ? SERVER : "请求没有成功（错误码 " + res.statusCode + "），请换个说法再试。") });
      },
      fail: function () { reject({ status: 0, message: NETWORK }); }
    });
  });
}

module.exports = {
  chat: function (message, sessionId) {
    return call("POST", "/v1/chat", { message: message, session_id: sessionId || null, channel: config.channel });
  },
  // the rating_token came with the answer: only the person who asked can rate it
  feedback: function (messageId, ratingToken, rating) {
    return call("POST", "/v1/feedback", { message_id: messageId, rating_token: ratingToken, rating: rating, tags: [], text: null });
  },
  callbackInfo: function () {
    return call("GET", "/v1/feedback/callback");
  },
  callback: function (messageId, ratingToken, phone) {
    return call("POST", "/v1/feedback/callback", { message_id: messageId, rating_token: ratingToken, phone: phone, consent: true });
  },
  staffReplies: function (sessionId, after) {
    return call("GET", "/v1/chat/" + encodeURIComponent(sessionId) + "/staff-replies?after=" + (after || 0));
  }
};
