/* The one place to configure the mini-program.
 * baseUrl: the assistant server (https, and listed under 开发管理 → 开发设置 → 服务器域名 → request合法域名;
 * see docs/miniprogram.md).  For the WeChat developer tool on your own machine you may use
 * http://127.0.0.1:8000 with "不校验合法域名" ticked. */
module.exports = {
  baseUrl: "https://daoban.example.gov.cn",
  hotline: "12345",
  channel: "miniprogram",
  pollMs: 5000,             // how often to look for a staff reply after 转人工
  pollForMs: 2 * 3600 * 1000
};
